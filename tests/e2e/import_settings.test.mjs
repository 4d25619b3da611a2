// Import's settings and warnings (decisions 11 and 3): a mapped attribute that no row read holds
// is warned about; --max-errors N|P% works as in export; output names that do not fit the format
// are refused; --compression / --row-group-rows and the spec's file.compression /
// file.row_group_rows reach the Parquet footer (read with DuckDB's parquet_metadata()); an empty
// --shard share says why and reports "splits": 0.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import {
  Long, startEmulator, makeClient, createTable, bulkPut, runTsbridge, describeRun, openDuck, tempDir, writeSpec,
  sqlString, INSTANCE,
} from './lib.mjs';

const ROWS = 20000;   // several GetRange pages, so that --max-errors can stop between them
const BAD_EVERY = 10; // n is the STRING "bad" in every 10th row
let emu;
let duck;
let tmp;
let spec;

const specFor = (name, extra = {}) => writeSpec(tmp.file(name), {
  tablestore: { endpoint: emu.endpoint, instance: INSTANCE, table: 'settings' },
  columns: [{ name: 'id', type: 'bigint' }, { name: 'v', type: 'string' }, { name: 'n', type: 'bigint' }],
  mapping: ':id,v,n',
  ...extra,
});
const run = (args, s = spec) => runTsbridge(['import', '--spec', s, ...args]);

before(async () => {
  tmp = tempDir('tsb-import-settings-');
  emu = await startEmulator();
  duck = await openDuck();
  const client = makeClient(emu.endpoint, { instance: INSTANCE });
  await createTable(client, 'settings', [{ name: 'id', type: 'INTEGER' }]);
  const rows = [];
  for (let i = 0; i < ROWS; ++i) {
    rows.push({
      primaryKey: [{ id: Long.fromNumber(i) }],
      attributeColumns: [{ v: `value ${i % 97}` }, { n: i % BAD_EVERY === 0 ? 'bad' : Long.fromNumber(i) }],
    });
  }
  await bulkPut(client, 'settings', rows, { per: 200, inFlight: 4 });
  spec = specFor('spec.json', { columns: [{ name: 'id', type: 'bigint' }, { name: 'v', type: 'string' }], mapping: ':id,v' });
});

after(async () => {
  duck?.close();
  if (emu) await emu.stop();
  tmp?.cleanup();
});

test('a mapped attribute that no row read holds is warned about, by name', async () => {
  const typo = specFor('typo.json', { columns: [{ name: 'id', type: 'bigint' }, { name: 'v', type: 'string' }], mapping: ':id,vv' });
  const r = await run(['--output', tmp.file('typo.csv'), '--limit', '100'], typo);
  assert.equal(r.code, 0, describeRun(r));
  assert.match(r.stderr, /warning: no row read holds the attribute "vv" \(mapped to column v\)/);
  const good = await run(['--output', tmp.file('good.csv'), '--limit', '100']);
  assert.equal(good.code, 0, describeRun(good));
  assert.doesNotMatch(good.stderr, /warning/);
  const none = await run(['--output', tmp.file('none.csv'), '--where', 'id < 0'], typo);
  assert.equal(none.code, 0, describeRun(none));
  assert.doesNotMatch(none.stderr, /warning/, 'no row read: nothing to warn about');
});

test('--max-errors P% stops the import (exit 3) once more than P% of the rows read were rejected', async () => {
  const typed = specFor('typed.json');
  const summaryOf = (f) => JSON.parse(readFileSync(f, 'utf8'));
  const stop = await run(['--output', tmp.file('me5.csv'), '--parallel', '1', '--max-errors', '5%',
    '--summary', tmp.file('me5.json')], typed);
  assert.equal(stop.code, 3, describeRun(stop));
  assert.match(stop.stderr, /--max-errors reached/);
  const s5 = summaryOf(tmp.file('me5.json'));
  assert.ok(s5.rows_read < ROWS, `stopped early: ${s5.rows_read} of ${ROWS} rows read`);
  assert.ok(s5.rows_rejected * 100 > 5 * s5.rows_read);

  const all = await run(['--output', tmp.file('me20.csv'), '--parallel', '1', '--max-errors', '20%',
    '--summary', tmp.file('me20.json')], typed);
  assert.equal(all.code, 3, 'rows were rejected: ' + describeRun(all));
  assert.doesNotMatch(all.stderr, /--max-errors reached/);
  const s20 = summaryOf(tmp.file('me20.json'));
  assert.equal(s20.rows_read, ROWS);
  assert.equal(s20.rows_rejected, ROWS / BAD_EVERY);
  assert.equal(s20.rows_written, ROWS - ROWS / BAD_EVERY);

  for (const bad of ['5%%', '-1', 'x%', '101%']) {
    const r = await run(['--output', tmp.file('bad.csv'), '--max-errors', bad], typed);
    assert.equal(r.code, 2, `--max-errors "${bad}": ` + describeRun(r));
  }
});

test('output names that do not fit the format are exit 2 and say what is expected', async () => {
  const cases = [
    [['--output', tmp.file('x.txt')], /cannot tell the format from the name.*--format/],
    [['--output', tmp.file('x.parquet.zst')], /use --compression zstd/],
    [['--output', tmp.file('x.parquet.gz')], /use --compression gzip/],
    [['--output', tmp.file('x.parquet'), '--format', 'csv'], /the name says parquet but --format is csv/],
    [['--output', tmp.file('x.txt'), '--format', 'parquet', '--compression', 'lzo'], /unknown Parquet codec "lzo"/],
    [['--output', tmp.file('x.csv'), '--compression', 'zstd'], /--compression sets up Parquet output/],
    [['--output', tmp.file('x.csv'), '--row-group-rows', '10'], /--row-group-rows sets up Parquet output/],
    [['--output', tmp.file('x.parquet'), '--row-group-rows', '0'], /--row-group-rows/],
  ];
  for (const [args, message] of cases) {
    const r = await run([...args, '--limit', '10']);
    assert.equal(r.code, 2, `${args.join(' ')}: ${describeRun(r)}`);
    assert.match(r.stderr, message);
    assert.ok(!existsSync(args[1]), `${args[1]}: nothing written`);
  }
  // --format given with a name that names no format: the file is what --format says.
  const r = await run(['--output', tmp.file('x.txt'), '--format', 'csv', '--limit', '2']);
  assert.equal(r.code, 0, describeRun(r));
  assert.equal(readFileSync(tmp.file('x.txt'), 'utf8'), 'id,v\n0,value 0\n1,value 1\n');
});

test('--compression, --row-group-rows and the spec keys reach the Parquet footer', async () => {
  const meta = async (file) => {
    const rows = await duck.rows(`SELECT DISTINCT row_group_id, row_group_num_rows, compression
      FROM parquet_metadata(${sqlString(file)}) ORDER BY row_group_id`);
    return { groups: rows.map((r) => Number(r[1])), codecs: [...new Set(rows.map((r) => r[2]))] };
  };
  const expected = await duck.rows(`SELECT range AS id, 'value ' || (range % 97) AS v FROM range(3000)`);
  for (const [codec, footer] of [['snappy', 'SNAPPY'], ['zstd', 'ZSTD'], ['gzip', 'GZIP'], ['lz4_raw', 'LZ4_RAW'],
    ['brotli', 'BROTLI'], ['none', 'UNCOMPRESSED']]) {
    const file = tmp.file(`c_${codec}.parquet`);
    const r = await run(['--output', file, '--compression', codec, '--row-group-rows', '1000', '--limit', '3000']);
    assert.equal(r.code, 0, describeRun(r));
    assert.deepEqual(await meta(file), { groups: [1000, 1000, 1000], codecs: [footer] }, codec);
    assert.deepEqual(await duck.rows(`SELECT id, v FROM read_parquet(${sqlString(file)})`), expected, codec);
  }
  const def = tmp.file('default.parquet');
  assert.equal((await run(['--output', def, '--limit', '3000'])).code, 0);
  assert.deepEqual(await meta(def), { groups: [3000], codecs: ['SNAPPY'] }, 'the defaults');

  const specFile = specFor('pq.json', {
    columns: [{ name: 'id', type: 'bigint' }, { name: 'v', type: 'string' }], mapping: ':id,v',
    file: { path: tmp.file('from_spec.parquet'), compression: 'brotli', row_group_rows: 1500 },
  });
  assert.equal((await run(['--limit', '3000'], specFile)).code, 0);
  assert.deepEqual(await meta(tmp.file('from_spec.parquet')), { groups: [1500, 1500], codecs: ['BROTLI'] });
  // The flags win over the spec.
  const over = tmp.file('over.parquet');
  assert.equal((await run(['--output', over, '--limit', '3000', '--compression', 'zstd'], specFile)).code, 0);
  assert.deepEqual(await meta(over), { groups: [1500, 1500], codecs: ['ZSTD'] });

  const badSpec = specFor('badpq.json', { file: { path: 'x.csv', compression: 'zstd' } });
  const b = await run(['--output', tmp.file('y.csv')], badSpec);
  assert.equal(b.code, 2, describeRun(b));
  assert.match(b.stderr, /file\.compression: sets the Parquet page codec/);
  const badRows = specFor('badrows.json', { file: { path: 'x.parquet', row_group_rows: 0 } });
  const c = await run(['--output', tmp.file('y.parquet')], badRows);
  assert.equal(c.code, 2, describeRun(c));
  assert.match(c.stderr, /file\.row_group_rows: expected a number of rows from 1 to 2147483647, got 0/);
});

test('an import share with no split reads nothing, says why, and reports "splits": 0', async () => {
  // The table is far below 256 MiB: one split, so share 1 of 2 is empty and share 2 reads it all.
  const empty = await run(['--output', tmp.file('share1.csv'), '--shard', '1/2', '--summary', tmp.file('share1.json')]);
  assert.equal(empty.code, 0, describeRun(empty));
  assert.match(empty.stderr,
    /share 1\/2 has no split and reads nothing: the table is estimated at under 256 MiB \(1 split of 256 MiB\), and --shard K\/2 pays only from 2 x 256 MiB = 512 MiB up/);
  const s1 = JSON.parse(readFileSync(tmp.file('share1.json'), 'utf8'));
  assert.equal(s1.splits, 0);
  assert.equal(s1.rows_read, 0);
  assert.equal(readFileSync(tmp.file('share1.csv'), 'utf8'), 'id,v\n');

  const full = await run(['--output', tmp.file('share2.csv'), '--shard', '2/2', '--summary', tmp.file('share2.json')]);
  assert.equal(full.code, 0, describeRun(full));
  assert.doesNotMatch(full.stderr, /has no split/);
  const s2 = JSON.parse(readFileSync(tmp.file('share2.json'), 'utf8'));
  assert.equal(s2.splits, 1);
  assert.equal(s2.rows_read, ROWS);
  assert.equal(s2.split_fingerprint, s1.split_fingerprint);
});
