// `tsbridge verify` as a user drives it, on a 100k-row table: files written by import (Parquet,
// CSV, JSON Lines) and a table written by export verify equal; a changed cell, a row missing from
// the file and a row extra in the file, made with the official SDK, are each found (exit 3) with
// the key range that holds them and, with --show, the row and the cell's two values; --where
// limits both sides; timestamps, binary, doubles and NULLs compare exactly. DuckDB counts the rows
// a --where selects of the file, independently of tsbridge.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Long, startEmulator, makeClient, call, createTable, bulkPut, runTsbridge, describeRun, openDuck, tempDir, writeSpec,
  guideSpec, readOrders, loadOrders, readSummary, sqlString, INSTANCE, ORDERS_TABLE,
} from './lib.mjs';
import { IGNORE } from '../conformance/lib.mjs';

// The CI scale: a 100k-row table (the whole corpus).
const ROWS = 100000;
let emu;
let client;
let duck;
let tmp;
let spec;
let orders;
const files = {};

async function verify(args) {
  return runTsbridge(['verify', '--spec', spec, ...args]);
}
function report(r) {
  return JSON.parse(r.stdout.toString());
}
// Whether the range text "[(a, "x"), (b, "y"))" holds the order key (the leading key column).
function rangeHolds(range, orderkey) {
  const m = /^\[\((INF_MIN|-?\d+)[^)]*\), \((INF_MAX|-?\d+)[^)]*\)\)$/.exec(range);
  assert.ok(m, `a key range: ${range}`);
  const lo = m[1] === 'INF_MIN' ? -Infinity : Number(m[1]);
  const hi = m[2] === 'INF_MAX' ? Infinity : Number(m[2]);
  // An end bound (k, INF_MIN) excludes k; (k, "date") may hold k: both are fine for k < hi.
  return lo <= orderkey && orderkey <= hi;
}

before(async () => {
  tmp = tempDir('tsb-verify-');
  emu = await startEmulator();
  client = makeClient(emu.endpoint, { instance: INSTANCE });
  duck = await openDuck();
  orders = await readOrders(duck, { limit: ROWS });
  await loadOrders(client, orders);
  spec = writeSpec(tmp.file('orders.json'), guideSpec(emu.endpoint));
  for (const ext of ['parquet', 'csv', 'jsonl']) {
    files[ext] = tmp.file(`orders.${ext}`);
    const r = await runTsbridge(['import', '--spec', spec, '--output', files[ext], '-q']);
    assert.equal(r.code, 0, describeRun(r));
  }
});

after(async () => {
  duck?.close();
  if (emu) await emu.stop();
  tmp?.cleanup();
});

test('a file written by import verifies equal against its table, in every format', async () => {
  for (const ext of ['parquet', 'csv', 'jsonl']) {
    const r = await verify(['--input', files[ext]]);
    assert.equal(r.code, 0, `${ext}: ${describeRun(r)}`);
    assert.match(r.stdout.toString(), new RegExp(`are equal: ${ROWS} rows in \\d+ splits?`));
    if (ext !== 'parquet') continue;  // the report's JSON form, once
    const j = report(await verify(['--input', files[ext], '--json']));
    assert.equal(j.equal, true);
    assert.equal(j.table_rows, ROWS);
    assert.equal(j.file_rows, ROWS);
    assert.deepEqual(j.differing_ranges, []);
  }
});

test('an export verifies equal: the table it wrote against its input', async () => {
  const copy = writeSpec(tmp.file('copy.json'), guideSpec(emu.endpoint, { tablestore: { table: 'orders_copy' } }));
  const e = await runTsbridge(['export', '--spec', copy, '--input', files.jsonl, '--create-table', '-q']);
  assert.equal(e.code, 0, describeRun(e));
  const r = await runTsbridge(['verify', '--spec', copy, '--input', files.jsonl]);
  assert.equal(r.code, 0, describeRun(r));
  assert.match(r.stdout.toString(), new RegExp(`table orders_copy and .*orders\\.jsonl are equal: ${ROWS} rows`));
});

test('the order of the file does not matter', async () => {
  const shuffled = tmp.file('shuffled.parquet');
  await duck.run(`COPY (SELECT * FROM read_parquet(${sqlString(files.parquet)}) ORDER BY hash(odps_orderkey))
    TO ${sqlString(shuffled)} (FORMAT parquet)`);
  const r = await verify(['--input', shuffled]);
  assert.equal(r.code, 0, describeRun(r));
});

test('a changed cell, a missing row and an extra row are each found, with --show naming them', async () => {
  const changed = orders[1234];
  const extra = orders[17001];  // deleted from the table: the file has it, the table not
  const missingKey = 99999999n;  // added to the table: the file lacks it
  const pk = (o) => [{ o_orderkey: Long.fromString(String(o.o_orderkey)) }, { o_orderdate: o.o_orderdate }];
  await call(client, 'updateRow', {
    tableName: ORDERS_TABLE, condition: IGNORE(), primaryKey: pk(changed),
    updateOfAttributeColumns: [{ PUT: [{ o_custkey: Long.fromString(String(changed.o_custkey + 1n)) }] }],
  });
  await call(client, 'deleteRow', { tableName: ORDERS_TABLE, condition: IGNORE(), primaryKey: pk(extra) });
  await call(client, 'putRow', {
    tableName: ORDERS_TABLE, condition: IGNORE(),
    primaryKey: [{ o_orderkey: Long.fromString(String(missingKey)) }, { o_orderdate: '1998-01-01' }],
    attributeColumns: [{ o_custkey: Long.fromNumber(7) }, { o_orderstatus: 'O' }, { o_totalprice: 1.5 }],
  });
  try {
    for (const ext of ['parquet', 'csv', 'jsonl']) {
      const r = await verify(['--input', files[ext], '--show', '10']);
      assert.equal(r.code, 3, `${ext}: ${describeRun(r)}`);
      const text = r.stdout.toString();
      assert.match(text, new RegExp(`differ: ${ROWS} rows in the table, ${ROWS} in the file; ` +
        '1 missing from the file, 1 extra in the file, 1 changed'));
      assert.ok(text.includes(`changed (odps_orderkey=${changed.o_orderkey}, odps_orderdate="${changed.o_orderdate}"): ` +
        `odps_custkey: table ${changed.o_custkey + 1n}, file ${changed.o_custkey}`), text);
      assert.ok(text.includes(`missing (odps_orderkey=${missingKey}, odps_orderdate="1998-01-01"): in the table, not in the file`), text);
      assert.ok(text.includes(`extra (odps_orderkey=${extra.o_orderkey}, odps_orderdate="${extra.o_orderdate}"): in the file, not in the table`), text);
      assert.match(r.stderr, /tsbridge verify: the table and the file differ \(3 rows/);
      if (ext !== 'jsonl') continue;  // the report's JSON form, once

      const j = report(await verify(['--input', files[ext], '--show', '10', '--json']));
      assert.equal(j.equal, false);
      const rows = Object.fromEntries(j.rows.map((x) => [x.kind, x]));
      assert.deepEqual(Object.keys(rows).sort(), ['changed', 'extra', 'missing']);
      assert.deepEqual(rows.changed.key, { odps_orderkey: String(changed.o_orderkey), odps_orderdate: changed.o_orderdate });
      assert.equal(rows.changed.table.odps_custkey, String(changed.o_custkey + 1n));
      assert.equal(rows.changed.file.odps_custkey, String(changed.o_custkey));
      assert.equal(rows.changed.table.odps_totalprice, rows.changed.file.odps_totalprice);
      assert.equal(rows.missing.table.odps_totalprice, '1.5');
      assert.equal(rows.missing.file, undefined);
      assert.equal(rows.extra.table, undefined);
      assert.equal(rows.extra.file.odps_orderstatus, extra.o_orderstatus);
      // Each difference is counted in a differing key range that holds its key.
      const where = (kind, key) => j.differing_ranges.filter((d) => d[kind] === 1 && rangeHolds(d.range, Number(key)));
      assert.equal(where('changed', changed.o_orderkey).length, 1, JSON.stringify(j.differing_ranges));
      assert.equal(where('missing', missingKey).length, 1, JSON.stringify(j.differing_ranges));
      assert.equal(where('extra', extra.o_orderkey).length, 1, JSON.stringify(j.differing_ranges));
      const total = j.differing_ranges.reduce((n, d) => n + d.missing + d.extra + d.changed, 0);
      assert.equal(total, 3);
    }

    // --show 1: the first difference in key order only, the counts unchanged.
    const one = report(await verify(['--input', files.parquet, '--show', '1', '--json']));
    assert.equal(one.rows.length, 1);
    assert.equal(one.rows[0].kind, 'changed');
    // Without --show: the ranges and counts, no rows.
    const none = await verify(['--input', files.parquet, '--summary', tmp.file('summary.json')]);
    assert.equal(none.code, 3);
    const summary = await readSummary(tmp.file('summary.json'));
    assert.equal(summary.status, 'rejected');
    assert.equal(summary.exit_code, 3);
    assert.equal(summary.rows_read, 2 * ROWS);
    assert.match(summary.error, /differ \(3 rows/);
    assert.doesNotMatch(none.stdout.toString(), /^ {2}(changed|missing|extra) /m);

    // --where limits both sides: a key range without the changes is equal, one with the changed
    // row only finds that row; the file's rows are those DuckDB selects.
    const lo = orders[5000].o_orderkey;
    const hi = orders[9000].o_orderkey;
    const clean = `odps_orderkey >= ${lo} AND odps_orderkey < ${hi} AND odps_orderstatus = 'F'`;
    const [[expected]] = await duck.rows(`SELECT count(*) FROM read_parquet(${sqlString(files.parquet)})
      WHERE odps_orderkey >= ${lo} AND odps_orderkey < ${hi} AND odps_orderstatus = 'F'`);
    for (const ext of ['parquet', 'csv']) {
      const r = await verify(['--input', files[ext], '--where', clean, '--json']);
      assert.equal(r.code, 0, describeRun(r));
      const e = report(r);
      assert.equal(e.table_rows, Number(expected));
      assert.equal(e.file_rows, Number(expected));
    }
    const around = `odps_orderkey <= ${changed.o_orderkey}`;
    const w = await verify(['--input', files.jsonl, '--where', around, '--show', '5', '--json']);
    assert.equal(w.code, 3, describeRun(w));
    const wj = report(w);
    assert.equal(wj.table_rows, 1235);
    assert.equal(wj.file_rows, 1235);
    assert.deepEqual(wj.rows.map((x) => x.kind), ['changed']);
  } finally {
    await call(client, 'putRow', { tableName: ORDERS_TABLE, condition: IGNORE(), primaryKey: pk(extra),
      attributeColumns: [{ o_custkey: Long.fromString(String(extra.o_custkey)) }, { o_orderstatus: extra.o_orderstatus },
        { o_totalprice: extra.o_totalprice }, { o_comment: extra.o_comment }] });
    await call(client, 'deleteRow', { tableName: ORDERS_TABLE, condition: IGNORE(),
      primaryKey: [{ o_orderkey: Long.fromString(String(missingKey)) }, { o_orderdate: '1998-01-01' }] });
    await call(client, 'updateRow', {
      tableName: ORDERS_TABLE, condition: IGNORE(), primaryKey: pk(changed),
      updateOfAttributeColumns: [{ PUT: [{ o_custkey: Long.fromString(String(changed.o_custkey)) }] }],
    });
  }
  const back = await verify(['--input', files.parquet]);
  assert.equal(back.code, 0, describeRun(back));
});

test('a stored value that does not fit its column, and a bad record, are differences', async () => {
  const bad = tmp.file('bad.csv');
  const { readFileSync, writeFileSync } = await import('node:fs');
  const lines = readFileSync(files.csv, 'utf8').split('\n');
  lines[2] = lines[2].replace(/^(\d+),([^,]+),\d+,/, '$1,$2,notanumber,');
  writeFileSync(bad, lines.join('\n'));
  const r = await verify(['--input', bad]);
  assert.equal(r.code, 3, describeRun(r));
  assert.match(r.stdout.toString(), /unreadable: 0 table values, 1 file records; first: .*bad\.csv: record at 3: /);
});

test('every type compares in one canonical form: timestamps in their ticks_unit, binary, doubles, NULLs', async () => {
  await createTable(client, 'typed', [{ name: 'id', type: 'INTEGER' }]);
  const rows = [];
  for (let i = 0; i < 300; i++) {
    const cols = [];
    // Micro ticks, some whole seconds; doubles that need every digit; binary with zero bytes.
    cols.push({ ts: Long.fromString(String(1700000000000000n + BigInt(i) * (i % 3 ? 1234567n : 1000000n))) });
    cols.push({ d: i % 7 === 0 ? -0 : 0.1 * i + 1e-17 * i });
    if (i % 5 !== 0) cols.push({ b: Buffer.from([0, i & 0xff, 0, 255]) });  // absent: NULL
    if (i % 4 !== 0) cols.push({ s: i % 8 === 1 ? '' : `s ${i} "q"` });
    rows.push({ primaryKey: [{ id: Long.fromNumber(i) }], attributeColumns: cols });
  }
  await bulkPut(client, 'typed', rows);
  const typed = writeSpec(tmp.file('typed.json'), {
    tablestore: { endpoint: emu.endpoint, instance: INSTANCE, table: 'typed' },
    columns: [{ name: 'id', type: 'bigint' }, { name: 'ts', type: 'timestamp', ticks_unit: 'micros' },
      { name: 'd', type: 'double' }, { name: 'b', type: 'binary' }, { name: 's', type: 'string' }],
    mapping: ':id, ts, d, b, s',
  });
  for (const ext of ['parquet', 'csv', 'jsonl']) {
    const file = tmp.file(`typed.${ext}`);
    const i = await runTsbridge(['import', '--spec', typed, '--output', file, '-q']);
    assert.equal(i.code, 0, describeRun(i));
    const r = await runTsbridge(['verify', '--spec', typed, '--input', file]);
    assert.equal(r.code, 0, `${ext}: ${describeRun(r)}`);
    assert.match(r.stdout.toString(), /are equal: 300 rows/);
  }
  // One binary byte and one double's last bit: both found.
  await call(client, 'updateRow', { tableName: 'typed', condition: IGNORE(), primaryKey: [{ id: Long.fromNumber(11) }],
    updateOfAttributeColumns: [{ PUT: [{ b: Buffer.from([0, 11, 0, 254]) }] }] });
  await call(client, 'updateRow', { tableName: 'typed', condition: IGNORE(), primaryKey: [{ id: Long.fromNumber(12) }],
    updateOfAttributeColumns: [{ PUT: [{ d: 0.1 * 12 + 1e-17 * 12 + 2 ** -52 }] }] });
  const r = await runTsbridge(['verify', '--spec', typed, '--input', tmp.file('typed.csv'), '--show', '5']);
  assert.equal(r.code, 3, describeRun(r));
  const text = r.stdout.toString();
  assert.match(text, /0 missing from the file, 0 extra in the file, 2 changed/);
  assert.ok(text.includes('changed (id=11): b: table "AAsA/g==", file "AAsA/w=="'), text);
  assert.match(text, /changed \(id=12\): d: table [0-9.]+, file [0-9.]+\n/);
});

test('usage errors are exit 2', async () => {
  const r = await verify(['--input', files.parquet, '--where', 'nosuch = 1']);
  assert.equal(r.code, 2, describeRun(r));
  const s = await verify(['--input', files.parquet, '--show', '-1']);
  assert.equal(s.code, 2, describeRun(s));
  const { writeFileSync } = await import('node:fs');
  const narrow = tmp.file('narrow.csv');
  writeFileSync(narrow, 'odps_orderkey,odps_orderdate,odps_custkey,odps_orderstatus\n1,1996-01-02,370,O\n');
  const n = await verify(['--input', narrow]);
  assert.equal(n.code, 2, describeRun(n));
  assert.match(n.stderr, /narrow\.csv: column "odps_totalprice" is not in the CSV header/);
});
