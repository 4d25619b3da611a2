// Shared helpers of the export scenarios: start `tsbridge emulator`, run `tsbridge` with the
// credentials in its environment (never on its command line), write specs, read tables back
// through the official Node.js SDK, and query files with DuckDB.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { BIN, KEY_ID, KEY_SECRET, TableStore, call, makeClient, startEmulator } from '../conformance/lib.mjs';

export { BIN, TableStore, call, startEmulator };

export const INSTANCE = 'e2e';
export const TESTDATA = process.env.TSB_SHARED_TESTDATA ||
  path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../shared/testdata');

export function tempDir(name) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `tsb-${name}-`));
}

export function client(endpoint) {
  return makeClient(endpoint, { instance: INSTANCE });
}

// Runs tsbridge; resolves to { code, stdout, stderr }. The key pair travels by environment.
export function tsbridge(args, { endpoint, input } = {}) {
  return new Promise((resolve, reject) => {
    const env = {
      ...process.env,
      ALIBABA_CLOUD_ACCESS_KEY_ID: KEY_ID,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: KEY_SECRET,
    };
    if (endpoint) env.TSBRIDGE_ENDPOINT = endpoint;
    const proc = spawn(BIN, args, { env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d) => { stdout += d; });
    proc.stderr.on('data', (d) => { stderr += d; });
    proc.on('error', reject);
    proc.on('exit', (code) => resolve({ code, stdout, stderr }));
    if (input !== undefined) proc.stdin.end(input);
  });
}

// Writes a job spec and returns its path.
export function writeSpec(dir, name, { endpoint, table, columns, mapping, file }) {
  const spec = {
    tablestore: { endpoint, instance: INSTANCE, table },
    columns: columns.map(([n, type]) => ({ name: n, type })),
    mapping,
  };
  if (file) spec.file = { path: file };
  const p = path.join(dir, `${name}.json`);
  fs.writeFileSync(p, JSON.stringify(spec, null, 2));
  return p;
}

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

// Runs SQL in an in-memory DuckDB; resolves to rows as objects.
export async function duck(sql) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const reader = await conn.runAndReadAll(sql);
  const rows = reader.getRowObjectsJS();
  conn.closeSync?.();
  return rows;
}

// BatchWriteRow lines of the emulator's debug log (started with --log-level debug).
export function batchWriteLog(emu) {
  return emu.stderr().split('\n').filter((l) => l.includes('BatchWriteRow'));
}
