// import --resume (issue 18): an import killed with SIGKILL at random moments (3 kills, seeded),
// each followed by --resume, ends exactly as an uninterrupted run: a single CSV or Parquet file
// byte for byte, an output directory as the table (DuckDB and `tsbridge verify` agree). And the
// checkpoint's contract: an existing one without --resume is exit 2 that says how to resume or
// start over, --restart starts over, a changed --where or spec is refused naming what changed, a
// compressed output cannot be resumed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import {
  startEmulator, runTsbridge, describeRun, tempDir, writeSpec, openDuck, sqlString, readSummary,
  INSTANCE, BIN, KEY_ID, KEY_SECRET,
} from './lib.mjs';

const ROWS = 100000;
// The rate cap stretches a run to about 5 s, so that the kills land mid-run: each one up to 0.5 s
// after its run's first point (a single file makes one every half second), so three runs cannot
// read the whole table.
// TSB_RESUME_KILLS=10 runs the longer loop (the rate cap shrinks to keep every kill
// mid-run); the test command runs 3.
const KILLS = Number(process.env.TSB_RESUME_KILLS || 3);
const RATE = ['--max-rows-per-sec', String(Math.round((20000 * 3) / KILLS))];
let emu;
let tmp;
let spec;
let source;

// mulberry32: the kill moments are random but the same on every run.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

before(async () => {
  tmp = tempDir('tsb-resume-import-');
  emu = await startEmulator();
  // Two key columns (a string and an integer), so that a resumed split starts inside a key tuple.
  const lines = ['grp,id,name,amount,flag'];
  for (let i = 0; i < ROWS; ++i) {
    lines.push(`g${String(i % 7).padStart(2, '0')},${i},"name ${i}, ""quoted""",${(i * 1.25).toFixed(2)},${i % 3 === 0}`);
  }
  source = tmp.file('source.csv');
  writeFileSync(source, lines.join('\n') + '\n');
  spec = writeSpec(tmp.file('spec.json'), {
    tablestore: { endpoint: emu.endpoint, instance: INSTANCE, table: 'resume' },
    columns: [
      { name: 'grp', type: 'string' }, { name: 'id', type: 'bigint' }, { name: 'name', type: 'string' },
      { name: 'amount', type: 'double' }, { name: 'flag', type: 'boolean' },
    ],
    mapping: ':grp,:id,name,amount,flag',
  });
  const r = await runTsbridge(['export', '--spec', spec, '--input', source, '--create-table', '-q']);
  assert.equal(r.code, 0, describeRun(r));
});

after(async () => {
  if (emu) await emu.stop();
  tmp?.cleanup();
});

const importArgs = (output, extra = []) => ['import', '--spec', spec, '--output', output, '-q', ...extra];

// Starts an import and SIGKILLs it `ms` after it saved its first checkpoint (so that every run
// moves the job on, and the kill lands anywhere between two points); resolves to how it ended.
function killAfterPoint(args, checkpoint, ms) {
  const env = { ...process.env, ALIBABA_CLOUD_ACCESS_KEY_ID: KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: KEY_SECRET };
  const started = Date.now();
  return new Promise((resolve) => {
    const proc = spawn(BIN, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let timer;
    proc.stderr.on('data', (d) => { stderr += d; });
    const poll = setInterval(() => {
      if (existsSync(checkpoint) && statSync(checkpoint).mtimeMs >= started) {
        clearInterval(poll);
        timer = setTimeout(() => proc.kill('SIGKILL'), ms);
      }
    }, 10);
    proc.on('close', (code, signal) => {
      clearInterval(poll);
      clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}

// KILLS SIGKILLs at seeded moments, each run after the first with --resume, then a --resume that
// finishes. Returns the last run's summary.
async function killLoop(output, extra, seed, checkpoint, rate = RATE, maxDelayMs = 500) {
  const random = prng(seed);
  for (let k = 0; k < KILLS; ++k) {
    const args = importArgs(output, [...extra, ...rate, ...(k > 0 ? ['--resume'] : [])]);
    const run = await killAfterPoint(args, checkpoint, Math.floor(random() * maxDelayMs));
    assert.equal(run.signal, 'SIGKILL', `kill ${k + 1} landed after the run ended: ${run.stderr}`);
  }
  const summary = tmp.file(`summary-${seed}.json`);
  const last = await runTsbridge(importArgs(output, [...extra, '--resume', '--summary', summary]));
  assert.equal(last.code, 0, describeRun(last));
  assert.ok(!existsSync(checkpoint), 'the checkpoint is removed when the job succeeds');
  return readSummary(summary);
}

// Like killLoop, but each kill comes a seeded 0.3 to 2.5 s after its run started.
async function killLoopAt(output, extra, seed, checkpoint) {
  const random = prng(seed);
  const env = { ...process.env, ALIBABA_CLOUD_ACCESS_KEY_ID: KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: KEY_SECRET };
  for (let k = 0; k < KILLS; ++k) {
    const args = importArgs(output, [...extra, '--max-rows-per-sec', String(Math.round((30000 * 3) / KILLS)), ...(k > 0 ? ['--resume'] : [])]);
    const signal = await new Promise((resolve) => {
      const proc = spawn(BIN, args, { env, stdio: 'ignore' });
      const timer = setTimeout(() => proc.kill('SIGKILL'), 300 + Math.floor(random() * 2200));
      proc.on('close', (code, sig) => { clearTimeout(timer); resolve(sig); });
    });
    assert.equal(signal, 'SIGKILL', `kill ${k + 1} landed after the run ended`);
  }
  const summary = tmp.file(`summary-${seed}.json`);
  const last = await runTsbridge(importArgs(output, [...extra, '--resume', '--summary', summary]));
  assert.equal(last.code, 0, describeRun(last));
  assert.ok(!existsSync(checkpoint), 'the checkpoint is removed when the job succeeds');
  return readSummary(summary);
}

async function verify(file) {
  const r = await runTsbridge(['verify', '--spec', spec, '--input', file]);
  assert.equal(r.code, 0, `verify ${file}: ${describeRun(r)}\n${r.stdout}`);
}

for (const [name, extra, seed] of [
  ['resumed.csv', [], 11],
  ['resumed.parquet', ['--row-group-rows', '4096'], 12],
]) {
  test(`kill loop: ${name} ends byte-identical to an uninterrupted import`, async () => {
    const reference = tmp.file('reference-' + name);
    const r = await runTsbridge(importArgs(reference, extra));
    assert.equal(r.code, 0, describeRun(r));
    const output = tmp.file(name);
    // The reference read 4 splits at once, the interrupted runs 2: the bytes do not depend on it.
    const summary = await killLoop(output, [...extra, '--parallel', '2'], seed,
      output + '.tsbridge-checkpoint');
    assert.ok(readFileSync(output).equals(readFileSync(reference)), `${name} differs from the uninterrupted import`);
    assert.equal(summary.resumed, true);
    assert.equal(summary.rows_written, ROWS);
    assert.ok(summary.rows_resumed > 0 && summary.rows_resumed < ROWS, JSON.stringify(summary));
    assert.deepEqual(readdirSync(tmp.dir).filter((n) => n.startsWith('.' + name)), [], 'no temporary file left');
    await verify(output);
  });
}

test('kill loop: DIR/ reads back as exactly the table', async () => {
  const dir = tmp.file('parts') + '/';
  // A directory's point is a finished part. Its 4 large parts are read side by side and finish
  // together at the end of a run, so the kills (at seeded moments 0.3 to 2.5 s into a run of about
  // 3.5 s) land while parts are in progress: each run redoes them, and the stale temporaries and
  // the checkpoint of the killed runs must not get in the way.
  const summary = await killLoopAt(dir, ['--format', 'csv'], 13, dir + '_checkpoint');
  assert.ok(summary.splits >= 4, `a table of several parts: ${JSON.stringify(summary)}`);
  assert.equal(summary.rows_written, ROWS);
  const names = readdirSync(dir).sort();
  assert.ok(names.includes('_SUCCESS'), names.join(' '));
  assert.ok(!names.includes('_checkpoint'));
  assert.deepEqual(names.filter((n) => n.startsWith('.')), [], 'no temporary file left');
  const db = await openDuck();
  try {
    const parts = `read_csv(${sqlString(dir + 'part-*.csv')}, header = true)`;
    const table = `read_csv(${sqlString(source)}, header = true)`;
    assert.equal(Number(await db.scalar(`SELECT count(*) FROM ${parts}`)), ROWS);
    assert.equal(Number(await db.scalar(`SELECT count(*) FROM (SELECT * FROM ${parts} EXCEPT ALL SELECT * FROM ${table})`)), 0);
    assert.equal(Number(await db.scalar(`SELECT count(*) FROM (SELECT * FROM ${table} EXCEPT ALL SELECT * FROM ${parts})`)), 0);
    const all = tmp.file('parts-all.csv');
    await db.run(`COPY (SELECT * FROM read_csv(${sqlString(dir + 'part-*.csv')}, header = true)) TO ${sqlString(all)} (HEADER)`);
    await verify(all);
  } finally {
    db.close();
  }
});

// Kills an import once its checkpoint exists.
async function interrupted(output, extra = []) {
  const checkpoint = output.endsWith('/') ? output + '_checkpoint' : output + '.tsbridge-checkpoint';
  const env = { ...process.env, ALIBABA_CLOUD_ACCESS_KEY_ID: KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: KEY_SECRET };
  const proc = spawn(BIN, importArgs(output, [...extra, ...RATE]), { env, stdio: 'ignore' });
  const closed = new Promise((resolve) => proc.on('close', (code, signal) => resolve(signal)));
  const deadline = Date.now() + 30000;
  while (!existsSync(checkpoint)) {
    assert.ok(Date.now() < deadline && proc.exitCode === null, 'the import never wrote its checkpoint');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  proc.kill('SIGKILL');
  assert.equal(await closed, 'SIGKILL');
  return checkpoint;
}

test('an existing checkpoint without --resume is exit 2 saying how to go on; --restart starts over', async () => {
  const output = tmp.file('again.csv');
  const checkpoint = await interrupted(output);
  const refused = await runTsbridge(importArgs(output));
  assert.equal(refused.code, 2, describeRun(refused));
  assert.match(refused.stderr, /again\.csv\.tsbridge-checkpoint/);
  assert.match(refused.stderr, /--resume/);
  assert.match(refused.stderr, /--restart/);
  assert.ok(existsSync(checkpoint), 'refusing leaves the checkpoint');

  const summary = tmp.file('restart-summary.json');
  const restarted = await runTsbridge(importArgs(output, ['--restart', '--summary', summary]));
  assert.equal(restarted.code, 0, describeRun(restarted));
  assert.ok(!existsSync(checkpoint));
  assert.equal((await readSummary(summary)).resumed, undefined, 'a restarted run is not a resumed one');
  assert.ok(readFileSync(output).equals(readFileSync(tmp.file('reference-resumed.csv'))));
  assert.deepEqual(readdirSync(tmp.dir).filter((n) => n.startsWith('.again.csv')), [], 'the old temporary is gone');
});

test('a changed --where or spec is refused naming what changed; a .gz output cannot resume', async () => {
  const output = tmp.file('where.csv');
  const where = "grp >= 'g01'";
  const checkpoint = await interrupted(output, ['--where', where]);
  const changedWhere = await runTsbridge(importArgs(output, ['--where', "grp >= 'g02'", '--resume']));
  assert.equal(changedWhere.code, 2, describeRun(changedWhere));
  assert.match(changedWhere.stderr, /--where changed \("grp >= 'g01'" then, "grp >= 'g02'" now\)/);
  assert.match(changedWhere.stderr, /--restart/);

  const otherSpec = writeSpec(tmp.file('spec-renamed.json'), {
    ...JSON.parse(readFileSync(spec, 'utf8')),
    columns: [
      { name: 'grp', type: 'string' }, { name: 'id', type: 'bigint' }, { name: 'label', type: 'string' },
      { name: 'amount', type: 'double' }, { name: 'flag', type: 'boolean' },
    ],
  });
  const changedSpec = await runTsbridge(['import', '--spec', otherSpec, '--output', output, '--where', where, '--resume']);
  assert.equal(changedSpec.code, 2, describeRun(changedSpec));
  assert.match(changedSpec.stderr, /the spec .*changed/);
  assert.ok(existsSync(checkpoint), 'a refused resume leaves the checkpoint');

  // The same job resumes and ends as an uninterrupted run of it.
  const done = await runTsbridge(importArgs(output, ['--where', where, '--resume']));
  assert.equal(done.code, 0, describeRun(done));
  const reference = tmp.file('where-reference.csv');
  assert.equal((await runTsbridge(importArgs(reference, ['--where', where]))).code, 0);
  assert.ok(readFileSync(output).equals(readFileSync(reference)));

  const gz = await runTsbridge(importArgs(tmp.file('out.csv.gz'), ['--resume']));
  assert.equal(gz.code, 2, describeRun(gz));
  assert.match(gz.stderr, /--resume: a gzip output cannot be continued/);
});
