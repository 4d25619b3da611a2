// `--summary FILE` on every exit after the spec was read (decisions 11), for import and export:
// "status", "exit_code" and "error" say how the job ended (0 ok, 1 failed, 2 usage, 3 rejected,
// 4 auth, 130/143 interrupted) and the counters what had happened by then, checked against the
// table as the official SDK reads it. Exit 3 names the reject file and the first rejected row's
// reason on stderr. The key pair is distinctive, and its secret (and a wrong one) must never
// appear in a summary or on stderr. A summary that cannot be written is exit 1 and the data stays.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, readdirSync, rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import {
  BIN, TableStore, Long, startEmulator, makeClient, call, createTable, bulkPut, runTsbridge, describeRun,
  openDuck, tempDir, writeSpec, guideSpec, readOrders, loadOrders, scanRange, readSummary, INSTANCE,
  ORDERS_TABLE,
} from './lib.mjs';

const KEY_ID = 'summaryExitsKeyId';
const SECRET = 'Sx7-summary-exits-SECRET-q2Rv9w';
const WRONG_SECRET = 'Wq3-wrong-SECRET-of-summary-exits-k8Zp';
const ROWS = 20000;
// 3 of MIXED_ROWS rows hold a STRING where the spec says bigint.
const MIXED_TABLE = 'mixed';
const MIXED_ROWS = 50;
const MIXED_BAD = new Set([7, 23, 41]);

let emu;     // healthy
let broken;  // every GetRange refused with a permanent error
let sdk;
let tmp;
let runs = [];  // every run's stderr and summary text, checked for secrets at the end

function run(args, opts = {}) {
  return runTsbridge(args, { id: KEY_ID, secret: SECRET, ...opts }).then((r) => {
    runs.push(r.stderr);
    return r;
  });
}

function summaryOf(file) {
  const text = readFileSync(file, 'utf8');
  runs.push(text);
  return JSON.parse(text);
}

// Starts tsbridge, sends `signal` once it has run for `afterMs`, resolves to { code, signal, stderr }.
function runAndSignal(args, signal, afterMs) {
  return new Promise((resolve, reject) => {
    const proc = spawn(BIN, args, {
      env: { ...process.env, ALIBABA_CLOUD_ACCESS_KEY_ID: KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: SECRET },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    proc.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => proc.kill(signal), afterMs);
    proc.on('error', reject);
    proc.on('close', (code, sig) => {
      clearTimeout(timer);
      runs.push(stderr);
      resolve({ code, signal: sig, stderr });
    });
  });
}

async function tableRows(table) {
  const start = [{ o_orderkey: TableStore.INF_MIN }, { o_orderdate: TableStore.INF_MIN }];
  const end = [{ o_orderkey: TableStore.INF_MAX }, { o_orderdate: TableStore.INF_MAX }];
  return (await scanRange(sdk, table, start, end)).rows;
}

function csvLines(file) {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
}

function assertOutcome(summary, status, exitCode, r) {
  assert.equal(summary.status, status, describeRun(r));
  assert.equal(summary.exit_code, exitCode);
  assert.equal(r.code, exitCode, describeRun(r));
  for (const key of ['rows_read', 'rows_written', 'rows_rejected', 'bytes_read', 'bytes_written', 'read_cu', 'write_cu', 'seconds']) {
    assert.equal(typeof summary[key], 'number', `summary.${key}`);
  }
  if (status === 'ok') {
    assert.equal(summary.error, null);
  } else {
    assert.equal(typeof summary.error, 'string');
    assert.ok(summary.error.length > 0);
  }
}

before(async () => {
  tmp = tempDir('tsb-summary-exits-');
  const keys = ['--access-key-id', KEY_ID, '--access-key-secret', SECRET];
  emu = await startEmulator({ keys: false, args: keys });
  broken = await startEmulator({ keys: false, args: [...keys, '--fault', 'GetRange:OTSParameterInvalid:1'] });
  sdk = makeClient(emu.endpoint, { instance: INSTANCE, id: KEY_ID, secret: SECRET });
  const duck = await openDuck();
  const orders = await readOrders(duck, { limit: ROWS });
  duck.close();
  await loadOrders(sdk, orders);
  await loadOrders(makeClient(broken.endpoint, { instance: INSTANCE, id: KEY_ID, secret: SECRET }), orders.slice(0, 100));

  await createTable(sdk, MIXED_TABLE, [{ name: 'id', type: 'INTEGER' }]);
  const rows = [];
  for (let i = 1; i <= MIXED_ROWS; i++) {
    rows.push({
      primaryKey: [{ id: Long.fromNumber(i) }],
      attributeColumns: [{ v: MIXED_BAD.has(i) ? `text-${i}` : Long.fromNumber(i * 10) }],
    });
  }
  await bulkPut(sdk, MIXED_TABLE, rows);
});

after(async () => {
  await emu?.stop();
  await broken?.stop();
  tmp?.cleanup();
});

function mixedSpec(name) {
  return writeSpec(tmp.file(`${name}.json`), {
    tablestore: { endpoint: emu.endpoint, instance: INSTANCE, table: MIXED_TABLE },
    columns: [{ name: 'id', type: 'bigint' }, { name: 'v', type: 'bigint' }],
    mapping: ':id,v',
  });
}

// ---------------------------------------------------------------------------------------------
// import

test('import exit 0: status ok, error null, the counters of the file', async () => {
  const spec = writeSpec(tmp.file('ok.json'), guideSpec(emu.endpoint));
  const out = tmp.file('ok.csv');
  const summaryFile = tmp.file('ok.summary.json');
  const r = await run(['import', '--spec', spec, '--output', out, '--summary', summaryFile]);
  const s = summaryOf(summaryFile);
  assertOutcome(s, 'ok', 0, r);
  assert.equal(s.rows_written, ROWS);
  assert.equal(csvLines(out).length, ROWS + 1);
  assert.equal('stopped_by' in s, false);

  // --limit reached is a normal end, and the summary says why it stopped.
  const limited = tmp.file('limit.summary.json');
  const r2 = await run(['import', '--spec', spec, '--output', tmp.file('limit.csv'), '--limit', '100', '--summary', limited]);
  const s2 = summaryOf(limited);
  assertOutcome(s2, 'ok', 0, r2);
  assert.equal(s2.rows_written, 100);
  assert.equal(s2.stopped_by, 'limit');
});

test('import exit 1: a permanent service error, the message in the summary, no file', async () => {
  const spec = writeSpec(tmp.file('broken.json'), guideSpec(broken.endpoint));
  const out = tmp.file('broken.csv');
  const summaryFile = tmp.file('broken.summary.json');
  const r = await run(['import', '--spec', spec, '--output', out, '--summary', summaryFile]);
  const s = summaryOf(summaryFile);
  assertOutcome(s, 'failed', 1, r);
  assert.match(s.error, /OTSParameterInvalid/);
  assert.ok(r.stderr.includes(s.error), 'stderr carries the same message');
  assert.equal(s.rows_written, 0);
  assert.ok(s.splits >= 1, 'the splits were computed before the scan failed');
  assert.ok(s.read_cu >= 1, 'the split call cost read CU');
  assert.equal(existsSync(out), false);
});

test('import exit 2: an unknown table, after the spec was read', async () => {
  const spec = writeSpec(tmp.file('unknown.json'), guideSpec(emu.endpoint, { tablestore: { table: 'no_such_table' } }));
  const summaryFile = tmp.file('unknown.summary.json');
  const r = await run(['import', '--spec', spec, '--output', tmp.file('unknown.csv'), '--summary', summaryFile]);
  const s = summaryOf(summaryFile);
  assertOutcome(s, 'usage', 2, r);
  assert.match(s.error, /no_such_table/);
  assert.equal(s.rows_read, 0);
});

test('import exit 3: stderr names the reject file and the first reason', async () => {
  const spec = mixedSpec('mixed');
  const out = tmp.file('mixed.csv');
  const summaryFile = tmp.file('mixed.summary.json');
  // One scanner: the first reject in the file is the first row in key order.
  const r = await run(['import', '--spec', spec, '--output', out, '--parallel', '1', '--summary', summaryFile]);
  const s = summaryOf(summaryFile);
  assertOutcome(s, 'rejected', 3, r);
  const rejectsFile = tmp.file('mixed.rejects.jsonl');
  const rejects = csvLines(rejectsFile).map((l) => JSON.parse(l));
  assert.deepEqual(rejects.map((x) => x.primary_key.id), [...MIXED_BAD]);
  assert.equal(s.rows_rejected, MIXED_BAD.size);
  assert.equal(s.rows_written, MIXED_ROWS - MIXED_BAD.size);
  assert.equal(csvLines(out).length, MIXED_ROWS - MIXED_BAD.size + 1);
  assert.equal(s.rejects_path, rejectsFile);
  const first = rejects[0];
  for (const text of [r.stderr, s.error, s.first_reject]) {
    assert.ok(text.includes(first.reason), `names the first reason (${first.reason}): ${text}`);
    assert.ok(text.includes('"id":7'), `names the first row's key: ${text}`);
    assert.ok(text.includes('column "v"'), text);
  }
  assert.ok(r.stderr.includes(`3 rows rejected; see ${rejectsFile}`), r.stderr);
  assert.ok(s.error.includes(rejectsFile));

  // -q silences the one-line summary, not the reason for exit 3.
  const quiet = await run(['import', '--spec', spec, '--output', tmp.file('mixedq.csv'), '--parallel', '1', '-q']);
  assert.equal(quiet.code, 3);
  assert.ok(quiet.stderr.includes(first.reason), quiet.stderr);
  assert.ok(!quiet.stderr.includes('rows read'), quiet.stderr);

  // --output -: the rejects go to stderr, and the message says so.
  const piped = await run(['import', '--spec', spec, '--output', '-', '--format', 'jsonl', '--parallel', '1']);
  assert.equal(piped.code, 3, describeRun(piped));
  assert.match(piped.stderr, /3 rows rejected; the rejected rows were written to stderr/);
  assert.ok(piped.stderr.includes(first.reason));

  // --max-errors reached: exit 3, and the summary says the job stopped for it.
  const maxFile = tmp.file('max.summary.json');
  const r2 = await run(['import', '--spec', spec, '--output', tmp.file('max.csv'), '--parallel', '1', '--max-errors', '0', '--summary', maxFile]);
  const s2 = summaryOf(maxFile);
  assertOutcome(s2, 'rejected', 3, r2);
  assert.equal(s2.stopped_by, 'max_errors');
  assert.match(r2.stderr, /--max-errors reached/);
});

test('import exit 4: a wrong secret, never printed', async () => {
  const spec = writeSpec(tmp.file('auth.json'), guideSpec(emu.endpoint));
  const summaryFile = tmp.file('auth.summary.json');
  const r = await run(['import', '--spec', spec, '--output', tmp.file('auth.csv'), '--summary', summaryFile], { secret: WRONG_SECRET });
  const text = readFileSync(summaryFile, 'utf8');
  const s = summaryOf(summaryFile);
  assertOutcome(s, 'auth', 4, r);
  assert.match(s.error, /OTSAuthFailed/);
  assert.ok(!text.includes(WRONG_SECRET) && !r.stderr.includes(WRONG_SECRET));
  assert.ok(!text.includes(SECRET) && !r.stderr.includes(SECRET));
});

for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
  test(`import exit ${code}: ${signal} during a job`, async () => {
    const spec = writeSpec(tmp.file(`sig${code}.json`), guideSpec(emu.endpoint));
    const out = tmp.file(`sig${code}.csv`);
    const summaryFile = tmp.file(`sig${code}.summary.json`);
    // 2000 rows/s: the 20000 rows would take 10 s.
    const r = await runAndSignal(['import', '--spec', spec, '--output', out, '--max-rows-per-sec', '2000', '--summary', summaryFile], signal, 1500);
    const s = summaryOf(summaryFile);
    assertOutcome(s, 'interrupted', code, r);
    assert.equal(s.stopped_by, signal);
    assert.ok(s.error.includes(signal), s.error);
    assert.ok(s.rows_read > 0 && s.rows_read < ROWS, `rows read by the time of the stop: ${s.rows_read}`);
    assert.equal(existsSync(out), false);
    assert.deepEqual(readdirSync(tmp.dir).filter((f) => f.startsWith(`.sig${code}.csv`)), [], 'no temporary file left');
  });
}

test('import: a summary that cannot be written is exit 1, and the file stays', async () => {
  const spec = writeSpec(tmp.file('nosummary.json'), guideSpec(emu.endpoint));
  const out = tmp.file('nosummary.csv');
  const summaryFile = tmp.file('no/such/dir/summary.json');
  const r = await run(['import', '--spec', spec, '--output', out, '--summary', summaryFile]);
  assert.equal(r.code, 1, describeRun(r));
  assert.ok(r.stderr.includes(summaryFile), r.stderr);
  assert.equal(csvLines(out).length, ROWS + 1);
});

// ---------------------------------------------------------------------------------------------
// export: the orders as import wrote them, into tables of the same key

let ordersCsv;
function exportSpec(name, table) {
  return writeSpec(tmp.file(`${name}.json`), guideSpec(emu.endpoint, { tablestore: { table } }));
}
async function ordersInput() {
  if (!ordersCsv) {
    ordersCsv = tmp.file('orders_in.csv');
    const r = await run(['import', '--spec', writeSpec(tmp.file('src.json'), guideSpec(emu.endpoint)), '--output', ordersCsv]);
    assert.equal(r.code, 0, describeRun(r));
  }
  return ordersCsv;
}

test('export exit 0: status ok, the counters of the table', async () => {
  const input = await ordersInput();
  const summaryFile = tmp.file('exp_ok.summary.json');
  const r = await run(['export', '--spec', exportSpec('exp_ok', 'exp_ok'), '--input', input, '--create-table', '--summary', summaryFile]);
  const s = summaryOf(summaryFile);
  assertOutcome(s, 'ok', 0, r);
  assert.equal(s.rows_written, ROWS);
  assert.equal(await tableRows('exp_ok'), ROWS);
});

test('export exit 1: the input breaks mid-job; the summary counts what reached the table', async () => {
  const lines = csvLines(await ordersInput());
  const gz = gzipSync(lines.join('\n') + '\n');
  const input = tmp.file('truncated.csv.gz');
  writeFileSync(input, gz.subarray(0, Math.floor(gz.length / 2)));
  const summaryFile = tmp.file('exp_fail.summary.json');
  const r = await run(['export', '--spec', exportSpec('exp_fail', 'exp_fail'), '--input', input, '--create-table', '--summary', summaryFile]);
  const s = summaryOf(summaryFile);
  assertOutcome(s, 'failed', 1, r);
  assert.ok(s.error.includes('truncated.csv.gz'), s.error);
  assert.ok(s.rows_read > 0 && s.rows_read < ROWS, `rows read before the break: ${s.rows_read}`);
  assert.equal(await tableRows('exp_fail'), s.rows_written);
});

test('export exit 2: an unknown table', async () => {
  const summaryFile = tmp.file('exp_unknown.summary.json');
  const r = await run(['export', '--spec', exportSpec('exp_unknown', 'no_such_table'), '--input', await ordersInput(), '--summary', summaryFile]);
  const s = summaryOf(summaryFile);
  assertOutcome(s, 'usage', 2, r);
  assert.match(s.error, /no_such_table/);
  assert.equal(s.rows_written, 0);
});

test('export exit 3: stderr names the reject file and the first reason', async () => {
  const lines = csvLines(await ordersInput()).slice(0, 101);
  // Line 6 (the header is line 1): a custkey that is no number; line 10: a field too few.
  const bad6 = lines[5].split(',');
  bad6[2] = 'notanumber';
  lines[5] = bad6.join(',');
  lines[9] = lines[9].split(',').slice(0, 4).join(',');
  const input = tmp.file('bad.csv');
  writeFileSync(input, lines.join('\n') + '\n');
  const summaryFile = tmp.file('exp_bad.summary.json');
  const r = await run(['export', '--spec', exportSpec('exp_bad', 'exp_bad'), '--input', input, '--create-table', '--summary', summaryFile]);
  const s = summaryOf(summaryFile);
  assertOutcome(s, 'rejected', 3, r);
  assert.equal(s.rows_rejected, 2);
  assert.equal(s.rows_written, 98);
  assert.equal(await tableRows('exp_bad'), 98);
  const rejectsFile = tmp.file('bad.rejects.csv');
  assert.equal(s.rejects_path, rejectsFile);
  // The reject file's first record: _source_position, _raw_record, _error_code, _error_message last.
  const duck = await openDuck();
  const [position, code, message] = (await duck.rows(
    `SELECT _source_position, _error_code, _error_message FROM read_csv('${rejectsFile}', all_varchar=true) ORDER BY _source_position::INT LIMIT 1`))[0];
  duck.close();
  assert.equal(position, '6');
  const reason = `line ${position}: ${code}: ${message}`;
  for (const text of [r.stderr, s.error, s.first_reject]) {
    assert.ok(text.includes(reason), `names the first reason (${reason}): ${text}`);
  }
  assert.ok(r.stderr.includes(`2 rows rejected; see ${rejectsFile}`), r.stderr);

  // --rejects -: the message says where they went.
  const piped = await run(['export', '--spec', exportSpec('exp_bad2', 'exp_bad2'), '--input', input, '--create-table', '--rejects', '-']);
  assert.equal(piped.code, 3, describeRun(piped));
  assert.match(piped.stderr, /2 rows rejected; the rejected rows were written to stderr/);
  assert.ok(piped.stderr.includes(reason), piped.stderr);

  // --max-errors reached.
  const maxFile = tmp.file('exp_max.summary.json');
  const r2 = await run(['export', '--spec', exportSpec('exp_max', 'exp_max'), '--input', input, '--create-table', '--max-errors', '0', '--summary', maxFile]);
  const s2 = summaryOf(maxFile);
  assertOutcome(s2, 'rejected', 3, r2);
  assert.equal(s2.stopped_by, 'max_errors');
  assert.match(r2.stderr, /--max-errors reached/);
});

test('export exit 4: a wrong secret, never printed', async () => {
  const summaryFile = tmp.file('exp_auth.summary.json');
  const r = await run(['export', '--spec', exportSpec('exp_auth', ORDERS_TABLE), '--input', await ordersInput(), '--summary', summaryFile], { secret: WRONG_SECRET });
  const text = readFileSync(summaryFile, 'utf8');
  const s = summaryOf(summaryFile);
  assertOutcome(s, 'auth', 4, r);
  assert.match(s.error, /OTSAuthFailed/);
  assert.ok(!text.includes(WRONG_SECRET) && !r.stderr.includes(WRONG_SECRET));
});

for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
  test(`export exit ${code}: ${signal} during a job; the summary counts what reached the table`, async () => {
    const input = await ordersInput();
    const table = `exp_sig${code}`;
    const summaryFile = tmp.file(`${table}.summary.json`);
    // 2000 rows/s; one writer, whose queue (4096 rows) is what a clean stop still writes.
    const r = await runAndSignal(['export', '--spec', exportSpec(table, table), '--input', input, '--create-table', '--parallel', '1',
      '--max-rows-per-sec', '2000', '--summary', summaryFile], signal, 1500);
    const s = summaryOf(summaryFile);
    assertOutcome(s, 'interrupted', code, r);
    assert.equal(s.stopped_by, signal);
    assert.ok(s.rows_written > 0 && s.rows_written < ROWS, `rows written by the time of the stop: ${s.rows_written}`);
    assert.equal(await tableRows(table), s.rows_written);
    // An export stopped by a signal keeps its checkpoint, so that --resume can continue it; the
    // next test starts a new job on the same input.
    const checkpoint = input + '.tsbridge-checkpoint';
    assert.ok(existsSync(checkpoint), 'an interrupted export keeps its checkpoint');
    rmSync(checkpoint);
  });
}

test('export: a summary that cannot be written is exit 1, and the rows stay in the table', async () => {
  const summaryFile = tmp.file('no/such/dir/exp.summary.json');
  const r = await run(['export', '--spec', exportSpec('exp_nosummary', 'exp_nosummary'), '--input', await ordersInput(), '--create-table', '--summary', summaryFile]);
  assert.equal(r.code, 1, describeRun(r));
  assert.ok(r.stderr.includes(summaryFile), r.stderr);
  assert.equal(await tableRows('exp_nosummary'), ROWS);
});

test('no run printed the secret', () => {
  assert.ok(runs.length > 20);
  for (const text of runs) {
    assert.ok(!text.includes(SECRET), text);
    assert.ok(!text.includes(WRONG_SECRET), text);
  }
});
