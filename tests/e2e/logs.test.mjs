// Logs a CI job can parse, and signs of life (decisions 11, "Logs"): --log-level, -v, -q,
// --log-format text|json (one JSON object per stderr line with ts, level, msg and the event's
// fields) for import, export and the emulator, an info line every 10 s when stderr is not a
// terminal, and a bar with percent and ETA when the total is known (import: the split count;
// export: the input file's size).
import { statSync, writeFileSync } from 'node:fs';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Long, startEmulator, makeClient, createTable, bulkPut, runTsbridge, describeRun, tempDir, writeSpec,
  INSTANCE, KEY_SECRET,
} from './lib.mjs';

const TABLE = 'logs';
const ROWS = 12000;
let emu;
let tmp;
let spec;
let typoSpec;
let exportSpec;
let exportCsv;

before(async () => {
  tmp = tempDir('tsb-logs-');
  emu = await startEmulator({ args: ['--fault', 'GetRange:OTSServerBusy:0.3', '--fault-seed', '7'] });
  const client = makeClient(emu.endpoint, { instance: INSTANCE });
  await createTable(client, TABLE, [{ name: 'k', type: 'INTEGER' }]);
  const rows = [];
  for (let i = 0; i < ROWS; ++i) {
    rows.push({ primaryKey: [{ k: Long.fromNumber(i) }], attributeColumns: [{ v: `v${i}`.padEnd(400, 'x') }] });
  }
  await bulkPut(client, TABLE, rows);
  const base = {
    tablestore: { endpoint: emu.endpoint, instance: INSTANCE, table: TABLE },
    columns: [{ name: 'k', type: 'bigint' }, { name: 'v', type: 'string' }],
  };
  spec = writeSpec(tmp.file('spec.json'), { ...base, mapping: ':k,v' });
  typoSpec = writeSpec(tmp.file('typo.json'), { ...base, mapping: ':k,vv' });
  // Export writes the same rows, from a CSV of about 5 MB, into a table of its own.
  await createTable(client, 'logs_export', [{ name: 'k', type: 'INTEGER' }]);
  exportSpec = writeSpec(tmp.file('export.json'), {
    ...base, tablestore: { ...base.tablestore, table: 'logs_export' }, mapping: ':k,v',
  });
  exportCsv = tmp.file('export.csv');
  writeFileSync(exportCsv, `k,v\n${rows.map((r, i) => `${i},${r.attributeColumns[0].v}\n`).join('')}`);
});

after(async () => {
  if (emu) await emu.stop();
  tmp?.cleanup();
});

const lines = (stderr) => stderr.split('\n').filter((l) => l.length > 0);

test('--log-format json: every stderr line is one object with ts, level and msg; the summary carries its counts', async () => {
  const r = await runTsbridge(['import', '--spec', spec, '--output', tmp.file('json.csv'), '--log-format', 'json', '-v']);
  assert.equal(r.code, 0, describeRun(r));
  const events = lines(r.stderr).map((l) => JSON.parse(l));
  assert.ok(events.length >= 2, describeRun(r));
  for (const e of events) {
    assert.match(e.ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(['error', 'warn', 'info', 'debug'].includes(e.level), e.level);
    assert.equal(typeof e.msg, 'string');
  }
  // -v: the client's retries of the emulator's injected OTSServerBusy answers are debug events.
  assert.ok(events.some((e) => e.level === 'debug' && /retrying GetRange/.test(e.msg)), describeRun(r));
  const summary = events.find((e) => e.event === 'summary');
  assert.ok(summary, describeRun(r));
  assert.equal(summary.level, 'info');
  assert.equal(summary.rows_read, ROWS);
  assert.equal(summary.rows_written, ROWS);
});

test('levels: the default shows no debug; -q and --log-level error show nothing on success; warn keeps warnings', async () => {
  const plain = await runTsbridge(['import', '--spec', spec, '--output', tmp.file('plain.csv')]);
  assert.equal(plain.code, 0, describeRun(plain));
  assert.doesNotMatch(plain.stderr, /retrying/);
  assert.match(plain.stderr, /^import: 12000 rows read, 12000 written/m);

  for (const flags of [['-q'], ['--log-level', 'error']]) {
    const r = await runTsbridge(['import', '--spec', spec, '--output', tmp.file('quiet.csv'), ...flags]);
    assert.equal(r.code, 0, describeRun(r));
    assert.equal(r.stderr, '', flags.join(' '));
  }

  const warn = await runTsbridge(['import', '--spec', typoSpec, '--output', tmp.file('typo.csv'), '--log-level', 'warn']);
  assert.equal(warn.code, 0, describeRun(warn));
  assert.match(warn.stderr, /no row read holds the attribute "vv"/);
  assert.doesNotMatch(warn.stderr, /rows read/, 'the info-level summary line is left out');
});

test('contradicting or unknown log flags are exit 2 naming them', async () => {
  for (const [flags, pattern] of [
    [['-q', '-v'], /-q and -v/],
    [['-q', '--log-level', 'debug'], /--log-level/],
    [['--log-level', 'loud'], /--log-level/],
    [['--log-format', 'xml'], /--log-format/],
    [['--progress', 'sometimes'], /--progress/],
  ]) {
    const r = await runTsbridge(['import', '--spec', spec, '--output', tmp.file('bad.csv'), ...flags]);
    assert.equal(r.code, 2, `${flags.join(' ')}: ${describeRun(r)}`);
    assert.match(r.stderr, pattern);
  }
});

const jsonEvents = (r) => lines(r.stderr).map((l) => {
  try {
    return JSON.parse(l);
  } catch {
    assert.fail(`not a JSON object: ${l}\n${describeRun(r)}`);
  }
});

function assertEventShape(e) {
  assert.match(e.ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.ok(['error', 'warn', 'info', 'debug'].includes(e.level), e.level);
  assert.equal(typeof e.msg, 'string');
}

test('without a terminal, import and export log a progress event every 10 s, in JSON one object a line', async () => {
  // About 12 s each at 1000 rows/s (run side by side): one heartbeat at 10 s.
  const [r, x] = await Promise.all([
    runTsbridge(['import', '--spec', spec, '--output', tmp.file('slow.csv'), '--parallel', '1',
      '--max-rows-per-sec', '1000', '--log-format', 'json']),
    runTsbridge(['export', '--spec', exportSpec, '--input', exportCsv, '--parallel', '1',
      '--max-rows-per-sec', '1000', '--log-format', 'json']),
  ]);
  assert.equal(r.code, 0, describeRun(r));
  const progress = jsonEvents(r).filter((e) => e.event === 'progress');
  assert.ok(progress.length >= 1, describeRun(r));
  assert.equal(progress[0].level, 'info');
  assert.ok(progress[0].rows > 0 && progress[0].rows < ROWS, JSON.stringify(progress[0]));
  assert.ok(progress[0].seconds >= 9.5 && progress[0].seconds < 12, JSON.stringify(progress[0]));

  assert.equal(x.code, 0, describeRun(x));
  const events = jsonEvents(x);
  for (const e of events) assertEventShape(e);
  const beat = events.filter((e) => e.event === 'progress');
  assert.equal(beat.length, 1, describeRun(x));
  assert.equal(beat[0].level, 'info');
  assert.ok(beat[0].rows > 0 && beat[0].rows < ROWS, JSON.stringify(beat[0]));
  assert.ok(beat[0].seconds >= 9.5 && beat[0].seconds < 12, JSON.stringify(beat[0]));
  // The total is the input's size: the reader is at most a few blocks ahead of the rows written.
  assert.ok(beat[0].percent > 0 && beat[0].percent <= 100, JSON.stringify(beat[0]));
  assert.ok(beat[0].percent >= (beat[0].rows / ROWS) * 100 - 1, JSON.stringify(beat[0]));
  assert.match(beat[0].msg, /^export: \d+ rows, [\d.]+ MB, \d+ rows\/s, \d+% \([\d.]+ of [\d.]+ MB\)$/);
  const summary = events.find((e) => e.event === 'summary');
  assert.ok(summary, describeRun(x));
  assert.equal(summary.rows_read, ROWS);
  assert.equal(summary.rows_written, ROWS);
  assert.equal(events.at(-1), summary, 'the summary is the last line');
});

test('--progress always draws a bar with percent and ETA: import over its splits, export over the input\'s bytes', async () => {
  // A table of about 5 MB gives --parallel 4 several splits, so the bar has a percentage to show.
  const bar = await runTsbridge(['import', '--spec', spec, '--output', tmp.file('bar.csv'), '--parallel', '4',
    '--max-rows-per-sec', '6000', '--progress', 'always']);
  assert.equal(bar.code, 0, describeRun(bar));
  assert.match(bar.stderr, /\rimport: \[[#.]{24}\] +\d+% \d+\/\d+ splits?, \d+ rows/);
  assert.match(bar.stderr, /ETA \d+:\d\d:\d\d/);

  const total = (statSync(exportCsv).size / 1e6).toFixed(1);
  const x = await runTsbridge(['export', '--spec', exportSpec, '--input', exportCsv, '--max-rows-per-sec', '6000',
    '--progress', 'always']);
  assert.equal(x.code, 0, describeRun(x));
  const frames = x.stderr.split('\r').filter((f) => f.startsWith('export: ['));
  assert.ok(frames.length >= 2, describeRun(x));
  const re = new RegExp(`^export: \\[[#.]{24}\\] +(\\d+)% ([\\d.]+)/${total.replace('.', '\\.')} MB, (\\d+) rows`);
  for (const f of frames) assert.match(f, re);
  const percents = frames.map((f) => Number(re.exec(f)[1]));
  assert.deepEqual(percents, [...percents].sort((a, b) => a - b), 'the bar never goes back');
  assert.ok(frames.some((f) => /ETA \d+:\d\d:\d\d/.test(f)), describeRun(x));
  assert.match(x.stderr, /^export: 12000 rows read, 12000 written/m);
});

test('the emulator: --log-format json is one object a line (start, listening, each request at -v, stop); -q is silent', async () => {
  const e = await startEmulator({ args: ['--log-format', 'json', '-v'] });
  let stderr;
  try {
    const c = makeClient(e.endpoint, { instance: INSTANCE });
    await createTable(c, 'emu_json', [{ name: 'k', type: 'INTEGER' }]);
    await bulkPut(c, 'emu_json', [0, 1, 2].map((i) => ({ primaryKey: [{ k: Long.fromNumber(i) }], attributeColumns: [{ v: 'x' }] })));
  } finally {
    assert.equal(await e.stop(), 0);
    stderr = e.stderr();
  }
  const events = lines(stderr).map((l) => JSON.parse(l));
  for (const ev of events) assertEventShape(ev);
  assert.deepEqual(events.map((ev) => ev.event).filter((n) => n !== 'request'), ['start', 'listening', 'stop', 'stopped']);
  const listening = events.find((ev) => ev.event === 'listening');
  assert.equal(listening.endpoint, e.endpoint);
  assert.equal(listening.msg, `listening on ${e.endpoint}`);
  assert.equal(listening.temporary_store, true);
  const requests = events.filter((ev) => ev.event === 'request');
  assert.ok(requests.every((ev) => ev.level === 'debug'));
  const create = requests.find((ev) => ev.operation === 'CreateTable');
  assert.ok(create, stderr);
  assert.equal(create.status, 200);
  assert.equal(create.table, 'emu_json');
  assert.equal(create.instance, INSTANCE);
  const writes = requests.filter((ev) => ev.operation === 'BatchWriteRow');
  assert.equal(writes.reduce((n, ev) => n + ev.rows, 0), 3, stderr);
  assert.equal(events.find((ev) => ev.event === 'stop').signal, 'SIGTERM');
  assert.ok(!stderr.includes(KEY_SECRET), 'no secret in the log');

  const quiet = await startEmulator({ args: ['-q'] });
  assert.equal(await quiet.stop(), 0);
  assert.equal(quiet.stderr(), '');

  const both = await runTsbridge(['emulator', '-q', '-v']);
  assert.equal(both.code, 2, describeRun(both));
  assert.match(both.stderr, /-q and -v/);
});
