// Every row comes back (decisions 11): import returns each row of the scanned range that passes
// the predicate, also a row that holds none of the mapped attributes (its attributes read as
// NULL). The official SDK's GetRange over the same range, all columns, with the predicate applied
// to its rows in SQL's NULL rules, is the oracle; the files are read back with DuckDB and compared
// row by row, values exact (doubles by their bits, 64-bit integers as text).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import {
  TableStore, Long, startEmulator, makeClient, call, createTable, bulkPut, runTsbridge, describeRun, openDuck,
  tempDir, writeSpec, sqlString, doubleBits, int64, INSTANCE,
} from './lib.mjs';

const TABLE = 'every_row';
const KEYS = 300;             // pk1 values; two rows each (pk2 'a' and 'b')
let emu;
let client;
let duck;
let tmp;
let spec;

// Row i's shape cycles through five kinds: key only; unmapped attributes only; every mapped
// attribute; `a` alone; `b` and `c` with an unmapped one.
function attributesOf(i) {
  const a = { a: `s${i}` };
  const b = { b: i + 0.25 };
  const c = { c: Long.fromNumber(i * 7) };
  const other = { other: `o${i}` };
  switch (i % 5) {
    case 0: return [];
    case 1: return [other, { extra: Long.fromNumber(i) }];
    case 2: return [a, b, c, other];
    case 3: return [a];
    default: return [b, c, other];
  }
}

// The SDK's rows of [start, end), every column, page by page.
async function sdkRows(start, end) {
  const rows = [];
  let next = start;
  for (;;) {
    const page = await call(client, 'getRange', {
      tableName: TABLE, direction: TableStore.Direction.FORWARD, maxVersions: 1,
      inclusiveStartPrimaryKey: next, exclusiveEndPrimaryKey: end,
    });
    rows.push(...page.rows);
    if (!page.nextStartPrimaryKey) break;
    next = page.nextStartPrimaryKey.map((c) => ({ [c.name]: c.value }));
  }
  return rows;
}

// An SDK row as the spec's columns: pk1, pk2, a, b, c (null where the row lacks the attribute).
function sdkRecord(row) {
  const attr = (name) => {
    const cell = (row.attributes || []).find((x) => x.columnName === name);
    return cell === undefined ? null : cell.columnValue;
  };
  const c = attr('c');
  return {
    pk1: BigInt(int64(row.primaryKey[0].value)), pk2: row.primaryKey[1].value,
    a: attr('a'), b: attr('b'), c: c === null ? null : BigInt(int64(c)),
  };
}

const canonical = (r) => [String(r.pk1), r.pk2, r.a, doubleBits(r.b), r.c === null ? null : String(r.c)];

async function fileRows(file) {
  const rows = await duck.rows(`SELECT pk1, pk2, a, b, c FROM read_parquet(${sqlString(file)})`);
  return rows.map(([pk1, pk2, a, b, c]) => canonical({ pk1, pk2, a, b, c }));
}

async function importRows(name, args = []) {
  const out = tmp.file(name);
  const r = await runTsbridge(['import', '--spec', spec, '--output', out, '--parallel', '3', ...args]);
  assert.equal(r.code, 0, describeRun(r));
  return { rows: await fileRows(out), stderr: r.stderr };
}

const INF_MIN = TableStore.INF_MIN;
const INF_MAX = TableStore.INF_MAX;
const key = (pk1, pk2) => [{ pk1: Long.fromNumber(pk1) }, { pk2 }];

before(async () => {
  tmp = tempDir('tsb-import-every-row-');
  emu = await startEmulator();
  client = makeClient(emu.endpoint, { instance: INSTANCE });
  duck = await openDuck();
  await createTable(client, TABLE, [{ name: 'pk1', type: 'INTEGER' }, { name: 'pk2', type: 'STRING' }]);
  const rows = [];
  for (let i = 0; i < KEYS; ++i) {
    for (const [j, pk2] of ['a', 'b'].entries()) {
      rows.push({ primaryKey: key(i, pk2), attributeColumns: attributesOf(2 * i + j) });
    }
  }
  await bulkPut(client, TABLE, rows);
  spec = writeSpec(tmp.file('spec.json'), {
    tablestore: { endpoint: emu.endpoint, instance: INSTANCE, table: TABLE },
    columns: [
      { name: 'pk1', type: 'bigint' }, { name: 'pk2', type: 'string' },
      { name: 'a', type: 'string' }, { name: 'b', type: 'double' }, { name: 'c', type: 'bigint' },
    ],
    mapping: ':pk1,:pk2,a,b,c',
  });
});

after(async () => {
  duck?.close();
  if (emu) await emu.stop();
  tmp?.cleanup();
});

test('the whole table: every row, also key-only rows and rows with unmapped attributes only', async () => {
  const expected = (await sdkRows([{ pk1: INF_MIN }, { pk2: INF_MIN }], [{ pk1: INF_MAX }, { pk2: INF_MAX }]))
    .map(sdkRecord).map(canonical);
  assert.equal(expected.length, 2 * KEYS, 'the SDK sees every row');
  assert.ok(expected.some((r) => r[2] === null && r[3] === null && r[4] === null), 'rows with no mapped attribute exist');
  const { rows } = await importRows('all.parquet');
  assert.equal(rows.length, expected.length);
  assert.deepEqual(rows, expected);
});

test('--where with key bounds and an attribute predicate: the SDK range, filtered by the same predicate', async () => {
  const cases = [
    // A residue evaluated locally (IS NULL / OR); NULL c passes.
    { where: 'pk1 >= 100 AND pk1 < 200 AND (c IS NULL OR c < 1000)', lo: 100, hi: 200,
      keep: (r) => r.c === null || r.c < 1000n },
    // A server-side filter: b > 60.5 is false for a NULL b under SQL rules, so those rows go.
    { where: 'pk1 >= 20 AND pk1 < 90 AND b > 60.5', lo: 20, hi: 90, keep: (r) => r.b !== null && r.b > 60.5 },
    // IS NULL of a mapped attribute: exactly the rows that lack it, key-only rows included.
    { where: 'pk1 < 50 AND a IS NULL', lo: null, hi: 50, keep: (r) => r.a === null },
  ];
  for (const [n, c] of cases.entries()) {
    const start = c.lo === null ? [{ pk1: INF_MIN }, { pk2: INF_MIN }] : [{ pk1: Long.fromNumber(c.lo) }, { pk2: INF_MIN }];
    const end = [{ pk1: Long.fromNumber(c.hi) }, { pk2: INF_MIN }];
    const expected = (await sdkRows(start, end)).map(sdkRecord).filter(c.keep).map(canonical);
    assert.ok(expected.length > 0, `${c.where}: the oracle keeps rows`);
    const { rows } = await importRows(`where${n}.parquet`, ['--where', c.where]);
    assert.deepEqual(rows, expected, c.where);
  }
});

test('--versions: a row with no version of any mapped attribute still gives no output row', async () => {
  const out = tmp.file('versions.csv');
  const r = await runTsbridge(['import', '--spec', spec, '--output', out, '--versions', '1']);
  assert.equal(r.code, 0, describeRun(r));
  const all = (await sdkRows([{ pk1: INF_MIN }, { pk2: INF_MIN }], [{ pk1: INF_MAX }, { pk2: INF_MAX }])).map(sdkRecord);
  const expected = [];
  for (const row of all) {
    for (const column of ['a', 'b', 'c']) {
      if (row[column] !== null) expected.push(`${row.pk1}|${row.pk2}|${column}`);
    }
  }
  const got = (await duck.rows(`SELECT pk1, pk2, "column" FROM read_csv(${sqlString(out)}, header=true,
      columns={'pk1': 'BIGINT', 'pk2': 'VARCHAR', 'column': 'VARCHAR', 'timestamp': 'BIGINT', 'value': 'VARCHAR'})`))
    .map(([pk1, pk2, column]) => `${pk1}|${pk2}|${column}`);
  assert.deepEqual(got, expected);
});

test("the issue's CSV round trip: k,a,b / 1,x,1.5 / 2,, / 3,y, comes back as 3 rows", async () => {
  const csv = tmp.file('issue.csv');
  writeFileSync(csv, 'k,a,b\n1,x,1.5\n2,,\n3,y,\n');
  const issueSpec = writeSpec(tmp.file('issue.json'), {
    tablestore: { endpoint: emu.endpoint, instance: INSTANCE, table: 'issue_csv' },
    columns: [{ name: 'k', type: 'bigint' }, { name: 'a', type: 'string' }, { name: 'b', type: 'double' }],
    mapping: ':k,a,b',
  });
  const e = await runTsbridge(['export', '--spec', issueSpec, '--input', csv, '--create-table']);
  assert.equal(e.code, 0, describeRun(e));
  const out = tmp.file('issue_back.csv');
  const summary = tmp.file('issue_summary.json');
  const i = await runTsbridge(['import', '--spec', issueSpec, '--output', out, '--summary', summary]);
  assert.equal(i.code, 0, describeRun(i));
  assert.equal(readFileSync(out, 'utf8'), 'k,a,b\n1,x,1.5\n2,,\n3,y,\n');
  const s = JSON.parse(readFileSync(summary, 'utf8'));
  assert.equal(s.rows_read, 3);
  assert.equal(s.rows_written, 3);
});

test('a Parquet file with an all-NULL row goes out and comes back whole', async () => {
  const src = tmp.file('nulls.parquet');
  await duck.run(`COPY (SELECT * FROM (VALUES (1::BIGINT, 'x', 1.5::DOUBLE), (2, NULL, NULL), (3, NULL, 2.5),
      (4, NULL, NULL)) t(k, a, b)) TO ${sqlString(src)} (FORMAT parquet)`);
  const pqSpec = writeSpec(tmp.file('nulls.json'), {
    tablestore: { endpoint: emu.endpoint, instance: INSTANCE, table: 'issue_parquet' },
    columns: [{ name: 'k', type: 'bigint' }, { name: 'a', type: 'string' }, { name: 'b', type: 'double' }],
    mapping: ':k,a,b',
  });
  const e = await runTsbridge(['export', '--spec', pqSpec, '--input', src, '--create-table']);
  assert.equal(e.code, 0, describeRun(e));
  const out = tmp.file('nulls_back.parquet');
  const i = await runTsbridge(['import', '--spec', pqSpec, '--output', out]);
  assert.equal(i.code, 0, describeRun(i));
  const read = async (f) => (await duck.rows(`SELECT k, a, b FROM read_parquet(${sqlString(f)}) ORDER BY k`))
    .map(([k, a, b]) => [String(k), a, doubleBits(b)]);
  assert.deepEqual(await read(out), await read(src));
});

test('a mapping wider than GetRange can name (128 columns) reads whole rows: every row, every mapped value', async () => {
  const WIDE = 140;  // attributes; with the key, past the 128 names columns_to_get may carry
  const names = Array.from({ length: WIDE }, (_, i) => `w${i}`);
  await createTable(client, 'wide', [{ name: 'k', type: 'INTEGER' }]);
  const rows = [];
  for (let k = 0; k < 30; ++k) {
    // Row k holds the attributes w_j with j % 3 == k % 3, plus one unmapped; every third row holds
    // none of the mapped ones.
    const attrs = k % 4 === 0 ? [{ unmapped: 'u' }]
      : names.filter((_, j) => j % 3 === k % 3).map((n, j) => ({ [n]: Long.fromNumber(k * 1000 + j) }));
    rows.push({ primaryKey: [{ k: Long.fromNumber(k) }], attributeColumns: attrs });
  }
  await bulkPut(client, 'wide', rows);
  const wideSpec = writeSpec(tmp.file('wide.json'), {
    tablestore: { endpoint: emu.endpoint, instance: INSTANCE, table: 'wide' },
    columns: [{ name: 'k', type: 'bigint' }, ...names.map((name) => ({ name, type: 'bigint' }))],
    mapping: [':k', ...names].join(','),
  });
  const out = tmp.file('wide.jsonl');
  const r = await runTsbridge(['import', '--spec', wideSpec, '--output', out]);
  assert.equal(r.code, 0, describeRun(r));
  const got = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const expected = rows.map((row) => {
    const rec = { k: int64(row.primaryKey[0].k) };
    for (const n of names) rec[n] = null;
    for (const cell of row.attributeColumns) {
      const [name, value] = Object.entries(cell)[0];
      if (name in rec) rec[name] = int64(value);
    }
    return rec;
  });
  assert.equal(got.length, expected.length, 'every row, also those with no mapped attribute');
  assert.deepEqual(got.map((g) => Object.fromEntries(Object.entries(g).map(([n, v]) => [n, v === null ? null : Number(v)]))),
    expected.map((e) => Object.fromEntries(Object.entries(e).map(([n, v]) => [n, v === null ? null : Number(v)]))));
});
