// Logs a CI job can parse, and signs of life (decisions 11, "Logs"): --log-level, -v, -q,
// --log-format text|json (one JSON object per stderr line with ts, level, msg and the event's
// fields), an info line every 10 s when stderr is not a terminal, and a bar with percent and ETA
// when the total is known.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Long, startEmulator, makeClient, createTable, bulkPut, runTsbridge, describeRun, tempDir, writeSpec,
  INSTANCE,
} from './lib.mjs';

const TABLE = 'logs';
const ROWS = 12000;
let emu;
let tmp;
let spec;
let typoSpec;

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

test('without a terminal, a progress event every 10 s; --progress always draws a bar with percent and ETA', async () => {
  // About 12 s of reading at 1000 rows/s: one heartbeat at 10 s.
  const r = await runTsbridge(['import', '--spec', spec, '--output', tmp.file('slow.csv'), '--parallel', '1',
    '--max-rows-per-sec', '1000', '--log-format', 'json']);
  assert.equal(r.code, 0, describeRun(r));
  const progress = lines(r.stderr).map((l) => JSON.parse(l)).filter((e) => e.event === 'progress');
  assert.ok(progress.length >= 1, describeRun(r));
  assert.equal(progress[0].level, 'info');
  assert.ok(progress[0].rows > 0 && progress[0].rows < ROWS, JSON.stringify(progress[0]));
  assert.ok(progress[0].seconds >= 9.5 && progress[0].seconds < 12, JSON.stringify(progress[0]));

  // A table of about 5 MB gives --parallel 4 several splits, so the bar has a percentage to show.
  const bar = await runTsbridge(['import', '--spec', spec, '--output', tmp.file('bar.csv'), '--parallel', '4',
    '--max-rows-per-sec', '6000', '--progress', 'always']);
  assert.equal(bar.code, 0, describeRun(bar));
  assert.match(bar.stderr, /\rimport: \[[#.]{24}\] +\d+% \d+\/\d+ splits?, \d+ rows/);
  assert.match(bar.stderr, /ETA \d+:\d\d:\d\d/);
});
