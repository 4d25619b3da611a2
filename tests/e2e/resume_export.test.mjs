// `tsbridge export --resume` after SIGKILLs (issue 18), on the corpus's 100k orders: for the plain
// path, --parallel 4 and --scatter, three exports are killed at seeded random moments (stretched
// by --max-rows-per-sec) and each is followed by --resume; the last one finishes, `verify` says
// the table equals the file, and the official SDK reads the same table as an uninterrupted
// export's. Rejects survive the kills once each (the reject file equals an uninterrupted run's);
// an input changed since the checkpoint is refused (exit 2); no checkpoint remains after success.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, statSync, writeFileSync, utimesSync } from 'node:fs';
import {
  BIN, KEY_ID, KEY_SECRET, INSTANCE, ORDERS_CSV, runTsbridge, describeRun, tempDir, writeSpec,
  makeClient, startEmulator, readTable, readSummary,
} from './lib.mjs';

const COLUMNS = [
  { name: 'o_orderkey', type: 'bigint' },
  { name: 'o_orderdate_str', type: 'string' },
  { name: 'o_custkey', type: 'bigint' },
  { name: 'o_orderstatus', type: 'string' },
  { name: 'o_totalprice', type: 'double' },
];
const MAPPING = ':o_orderkey,:o_orderdate,o_custkey,o_orderstatus,o_totalprice';
const PK = ['o_orderkey', 'o_orderdate'];
// The seed of the kill moments; a failure names it, and TSB_RESUME_SEED replays it.
const SEED = Number(process.env.TSB_RESUME_SEED || 18);
// TSB_RESUME_KILLS=10 runs the longer loop (the rate caps shrink to keep every kill
// mid-run); the test command runs 3.
const KILLS = Number(process.env.TSB_RESUME_KILLS || 3);

let emu;
let sdk;
let tmp;
let input;  // a copy of the corpus's orders, so that checkpoints are written beside it in tmp
let reference;  // the rows of an uninterrupted export, read through the SDK
let totalRows;

// mulberry32: a small seeded generator, so that a failing run's kill moments can be replayed.
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function specFor(table) {
  return writeSpec(tmp.file(`${table}.json`), {
    tablestore: { endpoint: emu.endpoint, instance: INSTANCE, table },
    columns: COLUMNS,
    mapping: MAPPING,
  });
}

// The checkpoint's identity on disk (a save renames a new file over it), or null.
function saved(ckpt) {
  if (!existsSync(ckpt)) return null;
  const st = statSync(ckpt, { bigint: true });
  return `${st.ino}:${st.mtimeNs}`;
}

// Runs tsbridge until it has saved a checkpoint, then SIGKILLs it `ms` later (unless it ended
// first): a moment after real progress, whatever the machine's speed. Resolves to its exit.
function killedRun(args, ckpt, ms) {
  const env = { ...process.env, ALIBABA_CLOUD_ACCESS_KEY_ID: KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: KEY_SECRET };
  const first = saved(ckpt);
  return new Promise((resolve, reject) => {
    const proc = spawn(BIN, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (d) => { stderr += d; });
    let timer = null;
    const poll = setInterval(() => {
      if (timer === null && saved(ckpt) !== first) timer = setTimeout(() => proc.kill('SIGKILL'), ms);
    }, 20);
    proc.on('error', reject);
    proc.on('close', (code, signal) => {
      clearInterval(poll);
      clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}

// KILLS exports killed at random moments after a save, each a --resume of the one before (the
// first starts fresh), then a --resume that finishes. Returns the last run and its summary.
async function killLoop(args, { ckpt, rng, rate, kills = KILLS }) {
  const moments = [];
  for (let k = 0; k < kills; ++k) {
    const ms = Math.round(rng() * 500);
    moments.push(ms);
    const capped = String(Math.round((rate * 3) / kills));
    const r = await killedRun([...args, ...(k > 0 ? ['--resume'] : []), '--max-rows-per-sec', capped], ckpt, ms);
    assert.equal(r.signal, 'SIGKILL', `killed run ${k + 1}, ${ms} ms after a save: exit ${r.code}\n${r.stderr}`);
  }
  const hadCheckpoint = existsSync(ckpt);
  const summary = tmp.file(`summary-${moments.join('-')}.json`);
  const last = await runTsbridge([...args, '--resume', '--summary', summary]);
  return { last, summary: await readSummary(summary), moments, hadCheckpoint };
}

before(async () => {
  tmp = tempDir('tsb-resume-export-');
  emu = await startEmulator();
  sdk = makeClient(emu.endpoint, { instance: INSTANCE });
  input = tmp.file('orders.csv');
  copyFileSync(ORDERS_CSV, input);
  const spec = specFor('reference');
  const summary = tmp.file('reference.json');
  const r = await runTsbridge(['export', '--spec', spec, '--input', input, '--create-table', '-q', '--summary', summary]);
  assert.equal(r.code, 0, describeRun(r));
  totalRows = (await readSummary(summary)).rows_read;
  assert.ok(!existsSync(`${input}.tsbridge-checkpoint`), 'a finished export leaves no checkpoint');
  reference = await readTable(sdk, 'reference', PK);
  assert.equal(reference.size, totalRows);
});

after(async () => {
  if (emu) await emu.stop();
  tmp?.cleanup();
});

const MODES = [
  ['plain', ['--parallel', '1']],
  ['parallel', ['--parallel', '4']],
  ['scatter', ['--parallel', '4', '--scatter']],
];
for (const [name, flags] of MODES) {
  test(`${name}: ${KILLS} SIGKILLs each followed by --resume end as an uninterrupted export`, async () => {
    const table = `resume_${name}`;
    const spec = specFor(table);
    const ckpt = tmp.file(`${name}.checkpoint`);
    const rng = random(SEED + name.length);
    const args = ['export', '--spec', spec, '--input', input, '--create-table', '-q', '--checkpoint', ckpt, ...flags];
    const { last, summary, moments, hadCheckpoint } =
      await killLoop(args, { ckpt, rng, rate: 12000 });
    const context = `seed ${SEED}, kills ${moments.join(', ')} ms after a save`;
    assert.equal(last.code, 0, `${context}: ${describeRun(last)}`);
    assert.ok(hadCheckpoint, `${context}: the killed runs left a checkpoint`);
    assert.equal(summary.resumed, true, context);
    // The acknowledged prefix was not read again (and every row after it was).
    assert.ok(summary.rows_read > 0 && summary.rows_read < totalRows, `${context}: read ${summary.rows_read} of ${totalRows}`);
    assert.equal(summary.rows_written, summary.rows_read, context);
    assert.ok(!existsSync(ckpt), `${context}: the checkpoint is removed after success`);

    const v = await runTsbridge(['verify', '--spec', spec, '--input', input]);
    assert.equal(v.code, 0, `${context}: verify: ${describeRun(v)}\n${v.stdout}`);
    assert.match(v.stdout.toString(), /are equal/);
    // The official SDK reads the table back (once, for --scatter, whose ranges move most; verify
    // already compared every mode's table with the file).
    if (name !== 'scatter') return;
    const rows = await readTable(sdk, table, PK);
    assert.equal(rows.size, reference.size, context);
    for (const [key, row] of reference) {
      assert.deepEqual(rows.get(key), row, `${context}: row ${key}`);
    }
  });
}

test('rejects survive the kills once each: the reject file equals an uninterrupted run\'s', async () => {
  // 30,000 orders, every 997th with a customer key that is not a number.
  const lines = readFileSync(ORDERS_CSV, 'utf8').split('\n').slice(0, 30001);
  for (let i = 997; i < lines.length; i += 997) lines[i] = lines[i].replace(/^(\d+),\d+,/, '$1,not-a-key,');
  const bad = tmp.file('bad.csv');
  writeFileSync(bad, `${lines.join('\n')}\n`);
  const once = tmp.file('once.rejects.csv');
  const r = await runTsbridge(['export', '--spec', specFor('rejects_once'), '--input', bad, '--create-table', '-q',
    '--rejects', once]);
  assert.equal(r.code, 3, describeRun(r));
  const expected = readFileSync(once, 'utf8').split('\n').filter(Boolean);
  assert.equal(expected.length, 1 + Math.floor(30000 / 997));  // the header, then one line each

  const spec = specFor('rejects_resumed');
  const resumed = tmp.file('resumed.rejects.csv');
  const args = ['export', '--spec', spec, '--input', bad, '--create-table', '-q', '--parallel', '4',
    '--rejects', resumed];
  const { last, summary, moments } = await killLoop(args, {
    // 30,000 rows hold three kills; the longer loop is the three tests above.
    ckpt: `${bad}.tsbridge-checkpoint`, rng: random(SEED * 7), rate: 4000, kills: 3,
  });
  const context = `seed ${SEED}, kills ${moments.join(', ')} ms after a save`;
  assert.equal(last.code, 3, `${context}: ${describeRun(last)}`);
  assert.equal(summary.resumed, true, context);
  const got = readFileSync(resumed, 'utf8').split('\n').filter(Boolean);
  assert.equal(got[0], expected[0], context);
  assert.deepEqual([...got].sort(), [...expected].sort(), context);
  assert.ok(!existsSync(`${bad}.tsbridge-checkpoint`), context);
  const a = await readTable(sdk, 'rejects_once', PK);
  const b = await readTable(sdk, 'rejects_resumed', PK);
  assert.deepEqual(b, a, context);
});

test('an input changed since the checkpoint is refused (exit 2); --restart starts over', async () => {
  const small = tmp.file('changed.csv');
  writeFileSync(small, `${readFileSync(ORDERS_CSV, 'utf8').split('\n').slice(0, 20001).join('\n')}\n`);
  const spec = specFor('resume_changed');
  const ckpt = `${small}.tsbridge-checkpoint`;
  const args = ['export', '--spec', spec, '--input', small, '--create-table', '-q'];
  // Killed once its first checkpoint is there.
  const env = { ...process.env, ALIBABA_CLOUD_ACCESS_KEY_ID: KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: KEY_SECRET };
  const proc = spawn(BIN, [...args, '--max-rows-per-sec', '5000'], { env, stdio: 'ignore' });
  const exited = new Promise((resolve) => proc.on('close', resolve));
  while (!existsSync(ckpt) && proc.exitCode === null) await new Promise((r) => setTimeout(r, 50));
  proc.kill('SIGKILL');
  await exited;
  assert.ok(existsSync(ckpt), 'the export saved a checkpoint before it was killed');

  const again = await runTsbridge(args);
  assert.equal(again.code, 2, describeRun(again));
  assert.match(again.stderr, /--resume/);
  assert.match(again.stderr, /--restart/);

  // One byte edited in place (same size), and the time set back: the hash of the start sees it.
  const bytes = readFileSync(small);
  const stat = statSync(small);
  bytes[bytes.indexOf(0x0a) + 1] = bytes[bytes.indexOf(0x0a) + 1] === 0x31 ? 0x32 : 0x31;
  writeFileSync(small, bytes);
  utimesSync(small, stat.atime, stat.mtime);
  const resumed = await runTsbridge([...args, '--resume']);
  assert.equal(resumed.code, 2, describeRun(resumed));
  assert.match(resumed.stderr, /input/);
  assert.ok(existsSync(ckpt), 'a refused resume keeps the checkpoint');

  const restarted = await runTsbridge([...args, '--restart']);
  assert.equal(restarted.code, 0, describeRun(restarted));
  assert.ok(!existsSync(ckpt), 'no checkpoint remains after success');
});

test('--resume is refused (exit 2) on stdin and with --if-absent, naming why', async () => {
  const spec = specFor('resume_refused');
  const stdin = await runTsbridge(['export', '--spec', spec, '--input', '-', '--format', 'csv', '--resume'], { input: '' });
  assert.equal(stdin.code, 2, describeRun(stdin));
  assert.match(stdin.stderr, /stdin is a stream/);
  const absent = await runTsbridge(['export', '--spec', spec, '--input', input, '--resume', '--if-absent']);
  assert.equal(absent.code, 2, describeRun(absent));
  assert.match(absent.stderr, /--if-absent/);
  const both = await runTsbridge(['export', '--spec', spec, '--input', input, '--resume', '--restart']);
  assert.equal(both.code, 2, describeRun(both));
});
