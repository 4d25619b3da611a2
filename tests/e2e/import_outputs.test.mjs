// `tsbridge import` as a user drives it: --explain, stdout, compressed outputs, --limit, -q, the
// summary, server-side filters, the CSV/JSONL value forms (NULL vs "", binary, exact doubles and
// 64-bit integers), and usage errors. A small table keeps this file quick; the guide's 100k-row
// scenarios are in import_guide.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import {
  Long, startEmulator, makeClient, createTable, bulkPut, runTsbridge, describeRun, openDuck,
  tempDir, writeSpec, guideSpec, readOrders, loadOrders, sqlString, canonicalRow, doubleBits,
  ORDERS_PARQUET, GUIDE_WHERE, INSTANCE, BIN, KEY_ID, KEY_SECRET,
} from './lib.mjs';

const ROWS = 5000;
let emu;
let client;
let duck;
let tmp;
let spec;

const DUCK_TYPES = "{'odps_orderkey': 'BIGINT', 'odps_orderdate': 'VARCHAR', 'odps_custkey': 'BIGINT', " +
  "'odps_orderstatus': 'VARCHAR', 'odps_totalprice': 'DOUBLE'}";
const COLUMN_LIST = 'odps_orderkey, odps_orderdate, odps_custkey, odps_orderstatus, odps_totalprice';

async function rowsOf(from) {
  return (await duck.rows(`SELECT ${COLUMN_LIST} FROM ${from}`)).map((r) => canonicalRow(r, new Set([4])));
}
async function sourceRows(where) {
  return (await duck.rows(`SELECT ${COLUMN_LIST} FROM src ${where ? `WHERE ${where}` : ''}
    ORDER BY odps_orderkey, odps_orderdate`)).map((r) => canonicalRow(r, new Set([4])));
}
const csvReader = (f, extra = '') => `read_csv(${sqlString(f)}, header=true, auto_detect=false, quote='"', escape='"', ` +
  `columns=${DUCK_TYPES}, strict_mode=true, allow_quoted_nulls=false${extra})`;

async function run(args, options) {
  return runTsbridge(['import', ...args], options);
}
async function ok(args) {
  const r = await run(args);
  assert.equal(r.code, 0, `${args.join(' ')}: ${describeRun(r)}`);
  return r;
}

before(async () => {
  tmp = tempDir('tsb-import-outputs-');
  emu = await startEmulator();
  client = makeClient(emu.endpoint, { instance: INSTANCE });
  duck = await openDuck();
  await duck.run(`CREATE TABLE src AS SELECT o_orderkey AS odps_orderkey, o_orderdate_str AS odps_orderdate,
      o_custkey AS odps_custkey, o_orderstatus AS odps_orderstatus, o_totalprice AS odps_totalprice
    FROM read_parquet(${sqlString(ORDERS_PARQUET)}) ORDER BY o_orderkey, o_orderdate_str LIMIT ${ROWS}`);
  await loadOrders(client, await readOrders(duck, { limit: ROWS }));
  spec = writeSpec(tmp.file('orders.json'), guideSpec(emu.endpoint));
});

after(async () => {
  duck?.close();
  if (emu) await emu.stop();
  tmp?.cleanup();
});

test('--explain prints the plan on stdout and reads nothing', async () => {
  const r = await ok(['--spec', spec, '--where', GUIDE_WHERE, '--explain']);
  const text = r.stdout.toString();
  assert.match(text, /primary key: \(o_orderkey, o_orderdate\)/);
  assert.match(text, /\[\(5001, INF_MIN\), \(7000, INF_MIN\)\)/);
  assert.match(text, /server filter: none/);
  assert.match(text, /local residue: .*odps_orderdate >= '1996-05-03'/);
  assert.doesNotMatch(r.stderr, /rows read/, 'no summary: nothing ran');

  const f = await ok(['--spec', spec, '--where', "odps_orderstatus = 'F' AND odps_custkey < 100", '--explain']);
  assert.match(f.stdout.toString(), /server filter: .*o_orderstatus.*"F"/);
  assert.match(f.stdout.toString(), /key ranges: 1 \(the whole table\)/);
});

test('--output - writes the data to stdout and nothing else; Parquet too', async () => {
  const file = tmp.file('where.csv');
  await ok(['--spec', spec, '--where', GUIDE_WHERE, '--output', file]);
  for (const format of ['csv', 'jsonl']) {
    const r = await ok(['--spec', spec, '--where', GUIDE_WHERE, '--output', '-', '--format', format]);
    const other = tmp.file(`where.${format}`);
    if (format !== 'csv') await ok(['--spec', spec, '--where', GUIDE_WHERE, '--output', other]);
    assert.ok(r.stdout.equals(readFileSync(other)), `${format}: stdout equals the file`);
    assert.match(r.stderr, /^import: \d+ rows read/m);
  }
  const r = await ok(['--spec', spec, '--output', '-', '--format', 'parquet']);
  const pq = tmp.file('stdout.parquet');
  writeFileSync(pq, r.stdout);
  assert.deepEqual(await rowsOf(`read_parquet(${sqlString(pq)})`), await sourceRows(''));
  const none = await run(['--spec', spec, '--output', '-']);
  assert.equal(none.code, 2, 'no format for stdout: ' + describeRun(none));
  assert.match(none.stderr, /--format/);
});

test('the progress line appears only on a terminal, and is cleared before the summary', async (t) => {
  const r = await ok(['--spec', spec, '--output', tmp.file('progress.csv')]);
  assert.deepEqual(r.stderr.split('\n').filter((l) => l), [r.stderr.trim()], 'not a terminal: the summary line only');
  assert.doesNotMatch(r.stderr, /\r/);
  if (!existsSync('/usr/bin/script')) {
    t.skip('no /usr/bin/script to run tsbridge on a pseudo-terminal');
    return;
  }
  // util-linux's script(1) gives the command a pseudo-terminal and copies what it prints.
  const quote = (a) => `'${a.replaceAll("'", "'\\''")}'`;
  const command = [BIN, 'import', '--spec', spec, '--output', tmp.file('progress_tty.csv'), '--parallel', '1'].map(quote).join(' ');
  const pty = await new Promise((resolve, reject) => {
    const env = { ...process.env, ALIBABA_CLOUD_ACCESS_KEY_ID: KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: KEY_SECRET };
    const proc = spawn('/usr/bin/script', ['-qec', command, '/dev/null'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    proc.stdout.on('data', (d) => { text += d; });
    proc.on('error', reject);
    proc.on('close', (code) => resolve({ code, text }));
  });
  assert.equal(pty.code, 0, pty.text);
  assert.match(pty.text, /\rimport: (\[[#.]+\] +\d+% \d+\/\d+ splits?, )?\d+ rows, [\d.]+ MB, \d+ rows\/s/, 'a progress line is drawn');
  assert.match(pty.text, /\r\x1b\[K/, 'and cleared before the summary');
});

test('.csv.gz and .jsonl.zst outputs hold the same rows', async () => {
  const want = await sourceRows(GUIDE_WHERE);
  const plain = tmp.file('where.csv');
  await ok(['--spec', spec, '--where', GUIDE_WHERE, '--output', plain]);
  const gz = tmp.file('where.csv.gz');
  await ok(['--spec', spec, '--where', GUIDE_WHERE, '--output', gz]);
  assert.ok(gunzipSync(readFileSync(gz)).equals(readFileSync(plain)), 'gunzip gives the plain CSV');
  const zst = tmp.file('where.jsonl.zst');
  await ok(['--spec', spec, '--where', GUIDE_WHERE, '--output', zst]);
  assert.deepEqual(readFileSync(zst).subarray(0, 4), Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), 'zstd magic');
  assert.deepEqual(await rowsOf(`read_json(${sqlString(zst)}, format='newline_delimited', compression='zstd', columns=${DUCK_TYPES})`), want);
});

test('--limit, -q and --summary', async () => {
  const out = tmp.file('limit.csv');
  const summaryFile = tmp.file('limit.summary.json');
  const r = await ok(['--spec', spec, '--output', out, '--limit', '100', '-q', '--summary', summaryFile]);
  assert.equal(r.stderr, '', '-q prints nothing');
  assert.deepEqual(await rowsOf(csvReader(out)), (await sourceRows('')).slice(0, 100));
  const summary = JSON.parse(readFileSync(summaryFile, 'utf8'));
  for (const key of ['rows_read', 'rows_written', 'rows_rejected', 'bytes_read', 'bytes_written', 'read_cu', 'seconds']) {
    assert.ok(key in summary, `summary has ${key}: ${JSON.stringify(summary)}`);
  }
  assert.equal(summary.rows_written, 100);
  assert.equal(summary.rows_rejected, 0);
  assert.equal(summary.bytes_written, readFileSync(out).length);
});

test('attribute predicates run on the server: only matching rows come back', async () => {
  const where = "odps_orderstatus = 'F' AND odps_custkey IN (1, 2, 3, 4, 5, 7, 8, 10, 11, 13, 14, 16, 17)";
  const out = tmp.file('filter.jsonl');
  const summaryFile = tmp.file('filter.summary.json');
  await ok(['--spec', spec, '--where', where, '--output', out, '--summary', summaryFile]);
  const want = await sourceRows(where);
  assert.deepEqual(await rowsOf(`read_json(${sqlString(out)}, format='newline_delimited', columns=${DUCK_TYPES})`), want);
  const summary = JSON.parse(readFileSync(summaryFile, 'utf8'));
  assert.equal(summary.rows_read, want.length, 'the service returned only the matching rows');
});

test('CSV and JSONL value forms: NULL, empty string, binary, exact doubles and 64-bit integers', async () => {
  await createTable(client, 'edge', [{ name: 'id', type: 'INTEGER' }]);
  const doubles = [0.1, -0.0, 5e-324, 1.7976931348623157e308, 1 / 3, 123456789.125, Infinity, -Infinity, NaN, 100];
  const ints = ['9223372036854775807', '-9223372036854775808', '9007199254740993', '0', '-1'];
  const rows = [];
  for (let i = 0; i < 10; i++) {
    const attributeColumns = [{ d: doubles[i] }];
    if (i % 3 === 1) attributeColumns.push({ s: '' });
    else if (i % 3 === 2) attributeColumns.push({ s: `a,"b"\nc ${i} é` });
    if (i < ints.length) attributeColumns.push({ big: Long.fromString(ints[i]) });
    if (i % 2 === 0) attributeColumns.push({ b: Buffer.from([0, 255, i, 0x3e]) });
    rows.push({ primaryKey: [{ id: Long.fromNumber(i) }], attributeColumns });
  }
  await bulkPut(client, 'edge', rows);
  const edgeSpec = writeSpec(tmp.file('edge.json'), {
    tablestore: { endpoint: emu.endpoint, instance: INSTANCE, table: 'edge' },
    columns: [{ name: 'id', type: 'bigint' }, { name: 's', type: 'string' }, { name: 'b', type: 'binary' },
      { name: 'd', type: 'double' }, { name: 'big', type: 'bigint' }],
    mapping: ':id, s, b, d, big',
  });
  const csv = tmp.file('edge.csv');
  await ok(['--spec', edgeSpec, '--output', csv]);
  const lines = readFileSync(csv, 'utf8').split('\r\n').join('\n');
  assert.match(lines, /^id,s,b,d,big\n/);
  assert.match(lines, /\n0,,AP8APg==,0\.1,9223372036854775807\n/, 'missing string is an empty unquoted field');
  assert.match(lines, /\n1,"",,-0(\.0)?,-9223372036854775808\n/, 'the empty string is ""');
  // DuckDB reads the CSV back bit-exact.
  const back = await duck.rows(`SELECT id, s, b, d, big FROM read_csv(${sqlString(csv)}, header=true, auto_detect=false,
      quote='"', escape='"', columns={'id':'BIGINT','s':'VARCHAR','b':'VARCHAR','d':'DOUBLE','big':'BIGINT'},
      strict_mode=true, allow_quoted_nulls=false) ORDER BY id`);
  for (let i = 0; i < 10; i++) {
    const [id, s, b, d, big] = back[i];
    assert.equal(Number(id), i);
    assert.equal(s, i % 3 === 0 ? null : i % 3 === 1 ? '' : `a,"b"\nc ${i} é`, `row ${i} s`);
    assert.equal(b, i % 2 === 0 ? Buffer.from([0, 255, i, 0x3e]).toString('base64') : null, `row ${i} b`);
    if (Number.isNaN(doubles[i])) assert.ok(Number.isNaN(d));
    else assert.equal(doubleBits(d), doubleBits(doubles[i]), `row ${i} d: ${d}`);
    assert.equal(big === null ? null : String(big), i < ints.length ? ints[i] : null, `row ${i} big`);
  }
  const jsonl = tmp.file('edge.jsonl');
  await ok(['--spec', edgeSpec, '--output', jsonl]);
  const jl = readFileSync(jsonl, 'utf8').split('\n').filter((l) => l);
  assert.equal(jl.length, 10);
  assert.match(jl[0], /"big":9223372036854775807[,}]/, 'exact 64-bit digits, unquoted');
  assert.match(jl[1], /"big":-9223372036854775808[,}]/);
  assert.match(jl[2], /"big":9007199254740993[,}]/);
  assert.match(jl[6], /"d":"Infinity"/);
  assert.match(jl[8], /"d":"NaN"/);
  assert.match(jl[1], /"s":""/);
  assert.match(jl[0], /"s":null|^(?!.*"s":)/);
});

test('usage errors exit 2 and write nothing', async () => {
  const out = tmp.file('usage.csv');
  for (const args of [
    ['--shard', '3/2'], ['--shard', '0/2'], ['--format', 'xml'], ['--parallel', '0'], ['--versions', 'all'],
    ['--where', 'odps_orderkey >'], ['--where', "odps_orderkey = 'abc'"],
  ]) {
    const r = await run(['--spec', spec, '--output', out, ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${describeRun(r)}`);
    assert.match(r.stderr, /tsbridge import: |error|Error/);
    assert.ok(!existsSync(out), `${args.join(' ')}: nothing written`);
  }
  const gz = await run(['--spec', spec, '--output', tmp.file('x.parquet.gz'), '--format', 'parquet']);
  assert.equal(gz.code, 2, describeRun(gz));
  const isDir = await run(['--spec', spec, '--output', tmp.dir, '--format', 'csv']);
  assert.equal(isDir.code, 2, describeRun(isDir));
  assert.match(isDir.stderr, /is a directory; write .*\/ for one part file per split/);
  const noFolder = await run(['--spec', spec, '--output', tmp.file('no/such/folder/x.csv')]);
  assert.equal(noFolder.code, 2, describeRun(noFolder));
  const missing = await run(['--spec', tmp.file('no-such-spec.json'), '--output', out]);
  assert.equal(missing.code, 2, describeRun(missing));
});
