// `tsbridge import --versions N [--time-range FROM,TO]`: the long layout of decisions 8 (key
// columns, column, timestamp, value; one row per cell version, newest first, attributes in mapping
// order) in CSV, JSON Lines and Parquet, typed `value` for a one-type selection and value_<type>
// columns (Parquet) for a mixed one, rejects per cell version; and the read-rate caps
// --max-rows-per-sec / --max-cu-per-sec (lower bounds on the time only, never upper ones).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import {
  TableStore, Long, startEmulator, makeClient, call, createTable, bulkPut, runTsbridge, describeRun, openDuck,
  tempDir, writeSpec, sqlString, scanRange, readSummary, INSTANCE,
} from './lib.mjs';
import { IGNORE } from '../conformance/lib.mjs';

const IDS = [0, 1, 2, 3];
const VERSIONS = [0, 1, 2];
const RATE_ROWS = 2000;
let emu;
let client;
let duck;
let tmp;
let t0;  // the oldest version's timestamp (an hour ago: cell timestamps must be within a day of now)

const ts = (v) => t0 + v * 1000;
const n = (id, v) => id * 100 + v;
const s = (id, v) => `s${id},"${v}"`;  // a comma and quotes: CSV quoting applies to the value
const d = (id, v) => id + v / 4;
// The double text form (decisions 8): shortest round-trip text, ".0" on integral values.
const dText = (x) => (Number.isInteger(x) ? x.toFixed(1) : String(x));

function spec(mapping, columns, table = 'hist') {
  return writeSpec(tmp.file(`${table}-${mapping.replace(/[^a-z]/g, '')}.json`), {
    tablestore: { endpoint: emu.endpoint, instance: INSTANCE, table },
    columns, mapping,
  });
}
const ID = { name: 'id', type: 'bigint' };
const N = { name: 'n_col', type: 'bigint' };
const S = { name: 's_col', type: 'string' };
const D = { name: 'd_col', type: 'double' };

async function run(args) { return runTsbridge(['import', ...args]); }
async function ok(args) {
  const r = await run(args);
  assert.equal(r.code, 0, `${args.join(' ')}: ${describeRun(r)}`);
  return r;
}
function csvLines(file) {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
}
function csvQuote(text) {
  return /[",\n\r]/.test(text) || text === '' ? `"${text.replaceAll('"', '""')}"` : text;
}
function jsonl(file) {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
}

// The expected long rows [id, column, timestamp, value] of `columns` for versions `vs` (newest first).
function expected(columns, vs = [...VERSIONS].reverse()) {
  const rows = [];
  for (const id of IDS) {
    for (const c of columns) {
      for (const v of vs) {
        const value = c === 'n_col' ? n(id, v) : c === 's_col' ? s(id, v) : d(id, v);
        rows.push([id, c, ts(v), value]);
      }
    }
  }
  return rows;
}

before(async () => {
  tmp = tempDir('tsb-import-versions-');
  emu = await startEmulator();
  client = makeClient(emu.endpoint, { instance: INSTANCE });
  duck = await openDuck();
  t0 = Date.now() - 60 * 60 * 1000;
  await createTable(client, 'hist', [{ name: 'id', type: 'INTEGER' }], { maxVersions: 5 });
  for (const v of VERSIONS) {
    for (const id of IDS) {
      const puts = [
        { n: Long.fromNumber(n(id, v)), timestamp: Long.fromNumber(ts(v)) },
        { s: s(id, v), timestamp: Long.fromNumber(ts(v)) },
        { d: d(id, v), timestamp: Long.fromNumber(ts(v)) },
      ];
      // Row 1's `bad` column: a STRING, then an INTEGER (does not fit `string`), then a STRING.
      if (id === 1) puts.push({ bad: v === 1 ? Long.fromNumber(7) : `ok${v}`, timestamp: Long.fromNumber(ts(v)) });
      await call(client, 'updateRow', {
        tableName: 'hist', condition: IGNORE(), primaryKey: [{ id: Long.fromNumber(id) }],
        updateOfAttributeColumns: [{ PUT: puts }],
      });
    }
  }
  await createTable(client, 'rate', [{ name: 'id', type: 'INTEGER' }]);
  const rows = [];
  for (let i = 0; i < RATE_ROWS; i++) {
    rows.push({ primaryKey: [{ id: Long.fromNumber(i) }], attributeColumns: [{ v: Long.fromNumber(i * 3) }] });
  }
  await bulkPut(client, 'rate', rows);
});

after(async () => {
  duck?.close();
  if (emu) await emu.stop();
  tmp?.cleanup();
});

test('one attribute type: `value` typed as the mapping says, in CSV, JSON Lines and Parquet', async () => {
  const sp = spec(':id, n', [ID, N]);
  const want = expected(['n_col']);

  const csv = tmp.file('single.csv');
  await ok(['--spec', sp, '--output', csv, '--versions', '3']);
  assert.deepEqual(csvLines(csv), ['id,column,timestamp,value', ...want.map((r) => r.join(','))]);

  const jl = tmp.file('single.jsonl');
  await ok(['--spec', sp, '--output', jl, '--versions', '3']);
  assert.deepEqual(jsonl(jl), want.map(([id, column, timestamp, value]) => ({ id, column, timestamp, value })));
  assert.match(readFileSync(jl, 'utf8'), /"value":\d+\}/, 'bigint values are JSON numbers');

  const pq = tmp.file('single.parquet');
  await ok(['--spec', sp, '--output', pq, '--versions', '3']);
  const types = await duck.rows(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(${sqlString(pq)}))`);
  assert.deepEqual(types, [['id', 'BIGINT'], ['column', 'VARCHAR'], ['timestamp', 'BIGINT'], ['value', 'BIGINT']]);
  const back = await duck.rows(`SELECT * FROM read_parquet(${sqlString(pq)})`);
  assert.deepEqual(back.map((r) => r.map(String)), want.map((r) => r.map(String)), 'file order is the documented order');
});

test('mixed types: one `value` in CSV and JSON Lines, value_<type> columns in Parquet', async () => {
  const sp = spec(':id, n, s, d', [ID, N, S, D]);
  const want = expected(['n_col', 's_col', 'd_col']);

  const csv = tmp.file('mixed.csv');
  await ok(['--spec', sp, '--output', csv, '--versions', '3']);
  const text = (c, value) => (c === 'd_col' ? dText(value) : c === 's_col' ? csvQuote(value) : String(value));
  assert.deepEqual(csvLines(csv), ['id,column,timestamp,value',
    ...want.map(([id, c, t, value]) => `${id},${c},${t},${text(c, value)}`)]);

  const jl = tmp.file('mixed.jsonl.gz');
  await ok(['--spec', sp, '--output', jl, '--versions', '3']);
  const { gunzipSync } = await import('node:zlib');
  const lines = gunzipSync(readFileSync(jl)).toString('utf8').split('\n').filter((l) => l);
  assert.deepEqual(lines.map((l) => JSON.parse(l)),
    want.map(([id, column, timestamp, value]) => ({ id, column, timestamp, value })),
    'numbers as JSON numbers, strings as JSON strings, one `value` key');
  assert.ok(lines.every((l) => !l.includes('value_')), 'no value_<type> keys in JSON Lines');

  const pq = tmp.file('mixed.parquet');
  await ok(['--spec', sp, '--output', pq, '--versions', '3']);
  const types = await duck.rows(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(${sqlString(pq)}))`);
  assert.deepEqual(types, [['id', 'BIGINT'], ['column', 'VARCHAR'], ['timestamp', 'BIGINT'],
    ['value_bigint', 'BIGINT'], ['value_string', 'VARCHAR'], ['value_double', 'DOUBLE']]);
  const back = await duck.rows(`SELECT id, "column", "timestamp", value_bigint, value_string, value_double,
      (value_bigint IS NOT NULL)::INT + (value_string IS NOT NULL)::INT + (value_double IS NOT NULL)::INT
    FROM read_parquet(${sqlString(pq)})`);
  assert.deepEqual(back.map(([id, c, t, b, str, dbl, set]) => [Number(id), c, Number(t),
    c === 'n_col' ? Number(b) : c === 's_col' ? str : dbl, Number(set)]),
  want.map((r) => [...r, 1]), 'exactly one value column set per row, the right one');
});

test('--versions N keeps the newest N; --time-range selects [FROM, TO)', async () => {
  const sp = spec(':id, n', [ID, N]);
  const two = tmp.file('two.csv');
  await ok(['--spec', sp, '--output', two, '--versions', '2']);
  assert.deepEqual(csvLines(two).slice(1), expected(['n_col'], [2, 1]).map((r) => r.join(',')));

  const ranged = tmp.file('ranged.csv');
  await ok(['--spec', sp, '--output', ranged, '--versions', '3', '--time-range', `${ts(1)},${ts(2)}`]);
  assert.deepEqual(csvLines(ranged).slice(1), expected(['n_col'], [1]).map((r) => r.join(',')));

  const older = tmp.file('older.csv');
  await ok(['--spec', sp, '--output', older, '--versions', '1', '--time-range', `0,${ts(2)}`]);
  assert.deepEqual(csvLines(older).slice(1), expected(['n_col'], [1]).map((r) => r.join(',')),
    'the newest version inside the range');
});

test('a cell version that does not fit its column goes to the reject file (exit 3)', async () => {
  const sp = spec(':id, bad', [ID, { name: 'bad', type: 'string' }]);
  const out = tmp.file('bad.csv');
  const summaryFile = tmp.file('bad.summary.json');
  const r = await run(['--spec', sp, '--output', out, '--versions', '3', '--summary', summaryFile]);
  assert.equal(r.code, 3, describeRun(r));
  assert.deepEqual(csvLines(out), ['id,column,timestamp,value', `1,bad,${ts(2)},ok2`, `1,bad,${ts(0)},ok0`]);
  const rejects = csvLines(tmp.file('bad.rejects.jsonl')).map((l) => JSON.parse(l));
  assert.deepEqual(rejects.map(({ reason, ...rest }) => rest), [{
    primary_key: { id: 1 }, column: 'bad', timestamp: ts(1), stored_type: 'INTEGER', expected_type: 'string',
  }]);
  const summary = await readSummary(summaryFile);
  assert.equal(summary.rows_written, 2);
  assert.equal(summary.rows_rejected, 1);
});

test('usage errors exit 2 and write nothing', async () => {
  const sp = spec(':id, n', [ID, N]);
  const out = tmp.file('usage.csv');
  for (const args of [
    ['--time-range', `0,${ts(2)}`], ['--versions', '0'], ['--versions', 'all'],
    ['--versions', '2', '--time-range', '5'], ['--versions', '2', '--time-range', '9,3'],
    ['--versions', '2', '--where', 'id > 1'], ['--max-rows-per-sec', '0'], ['--max-cu-per-sec', '-1'],
  ]) {
    const r = await run(['--spec', sp, '--output', out, ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${describeRun(r)}`);
    assert.ok(!existsSync(out), `${args.join(' ')}: nothing written`);
  }
  const keyOnly = spec(':id', [ID]);
  const r = await run(['--spec', keyOnly, '--output', out, '--versions', '2']);
  assert.equal(r.code, 2, describeRun(r));
  assert.match(r.stderr, /no attribute column/);
});

test('--max-rows-per-sec and --max-cu-per-sec hold the average read rate under the cap', async () => {
  const sp = spec(':id, v', [ID, { name: 'v', type: 'bigint' }], 'rate');
  const free = tmp.file('rate-free.csv');
  const freeSummary = tmp.file('rate-free.json');
  await ok(['--spec', sp, '--output', free, '--summary', freeSummary]);
  assert.equal((await readSummary(freeSummary)).rows_written, RATE_ROWS);

  // 2,000 rows at 4,000 rows/s: at least 0.5 s (the bucket starts empty); 0.4 s asserted.
  const capped = tmp.file('rate-rows.csv');
  const summaryFile = tmp.file('rate-rows.json');
  let started = process.hrtime.bigint();
  await ok(['--spec', sp, '--output', capped, '--max-rows-per-sec', '4000', '--summary', summaryFile]);
  let seconds = Number(process.hrtime.bigint() - started) / 1e9;
  assert.ok(seconds >= 0.4, `took ${seconds} s`);
  const summary = await readSummary(summaryFile);
  assert.equal(summary.rows_written, RATE_ROWS);
  assert.ok(summary.rows_read / summary.seconds <= 4000 * 1.05, JSON.stringify(summary));
  assert.ok(readFileSync(capped).equals(readFileSync(free)), 'the same rows');

  // The read CU of a full scan (SDK pages of the same size): a cap of that per second makes the
  // import take about a second; half of it is asserted.
  const { readCU } = await scanRange(client, 'rate', [{ id: TableStore.INF_MIN }], [{ id: TableStore.INF_MAX }]);
  assert.ok(readCU >= 1, `read CU ${readCU}`);
  const cu = tmp.file('rate-cu.csv');
  started = process.hrtime.bigint();
  await ok(['--spec', sp, '--output', cu, '--max-cu-per-sec', String(readCU)]);
  seconds = Number(process.hrtime.bigint() - started) / 1e9;
  assert.ok(seconds >= 0.5, `took ${seconds} s for ${readCU} read CU at ${readCU} CU/s`);
  assert.ok(readFileSync(cu).equals(readFileSync(free)), 'the same rows');
});
