// Shared helpers of the end-to-end suite: the built `tsbridge` binary run as a user runs it,
// against a freshly started `tsbridge emulator`, with the official Tablestore Node.js SDK loading
// and checking tables and DuckDB as the independent oracle for the files.
//
// Used by every scenario here (import_*, export_*, emulator_*, ...): one way to run tsbridge, one
// temporary directory, one SDK client, one DuckDB. The emulator start-up and the SDK plumbing come
// from the conformance suite's lib.mjs.
//
// Credentials reach tsbridge only through the environment (decisions 7): runTsbridge sets
// ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET, never a flag.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import {
  TableStore, Long, pb, BIN, KEY_ID, KEY_SECRET, startEmulator, makeClient, call, createTable, bulkPut,
  rawRequest, decodeRow, decodeError, int64, otsError, expectError,
} from '../conformance/lib.mjs';

export {
  TableStore, Long, pb, BIN, KEY_ID, KEY_SECRET, startEmulator, makeClient, call, createTable, bulkPut,
  rawRequest, decodeRow, decodeError, int64, otsError, expectError,
};

const here = path.dirname(fileURLToPath(import.meta.url));
// The shared corpus (tests/CMakeLists.txt's TSB_SHARED_TESTDATA): ../shared/testdata beside the repo.
export const TESTDATA = process.env.TSB_SHARED_TESTDATA || path.resolve(here, '../../../shared/testdata');
export const ORDERS_PARQUET = path.join(TESTDATA, 'parquet/duckdb_orders.parquet');
export const ORDERS_CSV = path.join(TESTDATA, 'csv/orders.csv');

// The instance name every e2e test uses (the emulator serves any name as its own namespace).
export const INSTANCE = 'e2e';

// A fresh temporary directory, removed by the returned cleanup (unless TSB_KEEP_TMP is set).
export function tempDir(prefix = 'tsb-e2e-') {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return {
    dir,
    file: (name) => path.join(dir, name),
    cleanup() { if (!process.env.TSB_KEEP_TMP) rmSync(dir, { recursive: true, force: true }); },
  };
}

// Writes `spec` (an object) as JSON to `file`; returns the path.
export function writeSpec(file, spec) {
  writeFileSync(file, JSON.stringify(spec, null, 2));
  return file;
}

// Writes DIR/NAME.json, the job spec of `table` on instance INSTANCE at `endpoint`; `columns` are
// [name, type] pairs; `file` (a path), when given, becomes file.path. Returns the path.
export function writeJobSpec(dir, name, { endpoint, table, columns, mapping, file }) {
  const spec = {
    tablestore: { endpoint, instance: INSTANCE, table },
    columns: columns.map(([n, type]) => ({ name: n, type })),
    mapping,
  };
  if (file) spec.file = { path: file };
  return writeSpec(path.join(dir, `${name}.json`), spec);
}

// An SDK client of instance INSTANCE at `endpoint`, with the emulator's key pair.
export function client(endpoint) {
  return makeClient(endpoint, { instance: INSTANCE });
}

// Runs tsbridge with `args`. Credentials by environment only; `id`/`secret` default to the
// emulator's key pair; `endpoint` sets TSBRIDGE_ENDPOINT; `env` adds or overrides variables (a
// value of undefined removes one). `input` is written to stdin.
// Resolves to { code, signal, stdout (Buffer), stderr (string) }.
export function runTsbridge(args, { env = {}, id = KEY_ID, secret = KEY_SECRET, endpoint, input, timeoutMs = 300000 } = {}) {
  const childEnv = { ...process.env, ALIBABA_CLOUD_ACCESS_KEY_ID: id, ALIBABA_CLOUD_ACCESS_KEY_SECRET: secret };
  delete childEnv.ALIBABA_CLOUD_SECURITY_TOKEN;
  if (endpoint) childEnv.TSBRIDGE_ENDPOINT = endpoint;
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete childEnv[k]; else childEnv[k] = v;
  }
  return new Promise((resolve, reject) => {
    const proc = spawn(BIN, args, { env: childEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    const out = [];
    let err = '';
    proc.stdout.on('data', (d) => out.push(d));
    proc.stderr.on('data', (d) => { err += d; });
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`tsbridge ${args.join(' ')}: no exit in ${timeoutMs} ms; stderr:\n${err}`));
    }, timeoutMs);
    proc.on('error', (e) => { clearTimeout(timer); reject(e); });
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out), stderr: err });
    });
    if (input !== undefined) proc.stdin.end(input); else proc.stdin.end();
  });
}

// A message for assertion failures about a tsbridge run.
export function describeRun(r) {
  return `exit ${r.code}${r.signal ? ` (signal ${r.signal})` : ''}; stderr:\n${r.stderr}`;
}

// ---------------------------------------------------------------------------------------------
// DuckDB.

export async function openDuck() {
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const conn = await instance.connect();
  await conn.run("SET TimeZone = 'UTC'");
  return {
    conn,
    async run(sql) { await conn.run(sql); },
    // Rows as objects of JS values (BIGINT as BigInt, DOUBLE as number).
    async all(sql) { return (await conn.runAndReadAll(sql)).getRowObjectsJS(); },
    // Rows as arrays of JS values.
    async rows(sql) { return (await conn.runAndReadAll(sql)).getRowsJS(); },
    async scalar(sql) {
      const rows = (await conn.runAndReadAll(sql)).getRowsJS();
      return rows.length ? rows[0][0] : undefined;
    },
    close() { conn.closeSync?.(); instance.closeSync?.(); },
  };
}

// Runs one query in a fresh in-memory DuckDB; resolves to its rows as objects.
export async function duck(sql) {
  const db = await openDuck();
  try {
    return await db.all(sql);
  } finally {
    db.close();
  }
}

export function sqlString(s) {
  return "'" + String(s).replaceAll("'", "''") + "'";
}

// The 16 hex digits of a double's IEEE bits (exact comparisons: -0.0 and every last bit count).
export function doubleBits(x) {
  if (x === null || x === undefined) return null;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Number(x));
  return view.getBigUint64(0).toString(16).padStart(16, '0');
}

// A row's values as comparable text: integers exactly, doubles by their bits, null as null.
export function canonicalRow(values, doubleColumns = new Set()) {
  return values.map((v, i) => {
    if (v === null || v === undefined) return null;
    if (doubleColumns.has(i)) return doubleBits(v);
    return String(v);
  });
}

// ---------------------------------------------------------------------------------------------
// The guide's table: ots_tpch_orders (o_orderkey INTEGER, o_orderdate STRING) with o_custkey,
// o_orderstatus, o_totalprice, o_comment, filled from the corpus's 100k orders.

export const ORDERS_TABLE = 'ots_tpch_orders';
export const GUIDE_MAPPING = ':o_orderkey,:o_orderdate,o_custkey,o_orderstatus,o_totalprice';
export const GUIDE_COLUMNS = [
  { name: 'odps_orderkey', type: 'bigint' },
  { name: 'odps_orderdate', type: 'string' },
  { name: 'odps_custkey', type: 'bigint' },
  { name: 'odps_orderstatus', type: 'string' },
  { name: 'odps_totalprice', type: 'double' },
];
export const GUIDE_WHERE =
  "odps_orderkey > 5000 AND odps_orderkey < 7000 AND odps_orderdate >= '1996-05-03' AND odps_orderdate < '1997-05-01'";

// The guide's spec for `endpoint` (more keys merged from `extra`).
export function guideSpec(endpoint, extra = {}) {
  return {
    tablestore: { endpoint, instance: INSTANCE, table: ORDERS_TABLE, ...(extra.tablestore || {}) },
    columns: extra.columns || GUIDE_COLUMNS,
    mapping: extra.mapping || GUIDE_MAPPING,
    ...(extra.file ? { file: extra.file } : {}),
  };
}

// The orders as DuckDB reads them from the corpus Parquet file (o_orderdate as its string form),
// in primary-key order; `limit` keeps the first rows only.
export async function readOrders(duck, { limit } = {}) {
  const rows = await duck.rows(
    `SELECT o_orderkey, o_orderdate_str, o_custkey, o_orderstatus, o_totalprice, o_comment
       FROM read_parquet(${sqlString(ORDERS_PARQUET)})
      ORDER BY o_orderkey, o_orderdate_str${limit ? ` LIMIT ${limit}` : ''}`);
  return rows.map(([k, d, c, s, p, m]) => ({
    o_orderkey: BigInt(k), o_orderdate: d, o_custkey: c === null ? null : BigInt(c), o_orderstatus: s,
    o_totalprice: p, o_comment: m,
  }));
}

// Creates the table and writes `orders` through the SDK (BatchWriteRow of 200 rows, 4 in flight).
// `keyOffset` shifts o_orderkey (to load the same rows several times under new keys).
export async function loadOrders(client, orders, { table = ORDERS_TABLE, create = true, keyOffset = 0n } = {}) {
  if (create) {
    await createTable(client, table, [{ name: 'o_orderkey', type: 'INTEGER' }, { name: 'o_orderdate', type: 'STRING' }]);
  }
  const rows = orders.map((o) => {
    const attributeColumns = [];
    if (o.o_custkey !== null) attributeColumns.push({ o_custkey: Long.fromString(String(o.o_custkey)) });
    if (o.o_orderstatus !== null) attributeColumns.push({ o_orderstatus: o.o_orderstatus });
    if (o.o_totalprice !== null) attributeColumns.push({ o_totalprice: o.o_totalprice });
    if (o.o_comment !== null) attributeColumns.push({ o_comment: o.o_comment });
    return {
      primaryKey: [{ o_orderkey: Long.fromString(String(o.o_orderkey + keyOffset)) }, { o_orderdate: o.o_orderdate }],
      attributeColumns,
    };
  });
  await bulkPut(client, table, rows, { per: 200, inFlight: 4 });
}

// ComputeSplitPointsBySize through the SDK's compiled messages and signer (the SDK has no call).
export async function computeSplits(endpoint, table, { splitSize = 256, unit = 1048576, instance = INSTANCE } = {}) {
  const req = { tableName: table, splitSize, splitSizeUnitInByte: unit };
  const body = Buffer.from(pb.ComputeSplitPointsBySizeRequest.encode(pb.ComputeSplitPointsBySizeRequest.fromObject(req)).finish());
  const res = await rawRequest(endpoint, 'ComputeSplitPointsBySize', body, { instance });
  if (res.status !== 200) throw new Error(`ComputeSplitPointsBySize: HTTP ${res.status}: ${JSON.stringify(decodeError(res.body))}`);
  const decoded = pb.ComputeSplitPointsBySizeResponse.decode(res.body);
  return {
    points: decoded.splitPoints.map((b) => decodeRow(b).primaryKey),
    readCU: Number(decoded.consumed?.capacityUnit?.read ?? 0),
  };
}

// Scans [start, end) with the SDK's GetRange, page by page; resolves to { rows, readCU }.
export async function scanRange(client, table, start, end, { columnsToGet } = {}) {
  let next = start;
  let rows = 0;
  let readCU = 0;
  for (;;) {
    const params = {
      tableName: table, direction: TableStore.Direction.FORWARD, maxVersions: 1,
      inclusiveStartPrimaryKey: next, exclusiveEndPrimaryKey: end,
    };
    if (columnsToGet) params.columnsToGet = columnsToGet;
    const page = await call(client, 'getRange', params);
    rows += page.rows.length;
    readCU += Number(page.consumed?.capacityUnit?.read ?? 0);
    if (!page.nextStartPrimaryKey) break;
    next = page.nextStartPrimaryKey.map((c) => ({ [c.name]: c.value }));
  }
  return { rows, readCU };
}

// Parses the --summary JSON file written by a run.
export async function readSummary(file) {
  const { readFileSync } = await import('node:fs');
  return JSON.parse(readFileSync(file, 'utf8'));
}

// ---------------------------------------------------------------------------------------------
// Tables read back through the SDK, and the emulator's log.

// Every row of a table through the SDK's getRange: Map of JSON key -> {pk, attrs}.
export async function readTable(sdk, tableName, pkNames) {
  const rows = new Map();
  let start = pkNames.map((n) => ({ [n]: TableStore.INF_MIN }));
  const end = pkNames.map((n) => ({ [n]: TableStore.INF_MAX }));
  while (start) {
    const data = await call(sdk, 'getRange', {
      tableName, direction: TableStore.Direction.FORWARD,
      inclusiveStartPrimaryKey: start, exclusiveEndPrimaryKey: end, limit: 5000,
    });
    for (const row of data.rows) {
      const pk = row.primaryKey.map((c) => plain(c.value));
      const attrs = {};
      for (const a of row.attributes) attrs[a.columnName] = plain(a.columnValue);
      rows.set(JSON.stringify(pk), { pk, attrs });
    }
    start = data.nextStartPrimaryKey
      ? data.nextStartPrimaryKey.map((c) => ({ [c.name]: c.value }))
      : null;
  }
  return rows;
}

// SDK values as plain JS: Int64 as a decimal string, Buffers as base64.
export function plain(v) {
  if (v === null || v === undefined) return v;
  if (Buffer.isBuffer(v)) return v.toString('base64');
  if (typeof v === 'object' && typeof v.toString === 'function') return v.toString();
  return v;
}

// BatchWriteRow lines of the emulator's debug log (started with --log-level debug).
export function batchWriteLog(emu) {
  return emu.stderr().split('\n').filter((l) => l.includes('BatchWriteRow'));
}
