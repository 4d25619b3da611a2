// The README's commands run (issue 19): every code block marked `<!-- runnable -->` is run, in
// order, in one temporary directory, against a fresh emulator started the way the quick start
// says (on a free port, handed to the blocks as TSBRIDGE_ENDPOINT), with the built tsbridge first
// on PATH and no credentials in the environment: the quick start must supply them itself.
//
// `sh` blocks run with `bash -euo pipefail`; what one exports carries over to the next, as in one
// terminal. A `yaml` block is a GitHub Actions job: its steps' `run` scripts run in order in a
// clean environment plus what they append to $GITHUB_ENV (a step marked `readme-test: skip` is
// skipped). Then DuckDB checks the files the README says the commands write against its CSV.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, symlinkSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, startEmulator, tempDir, openDuck, sqlString, canonicalRow } from './lib.mjs';

const README = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../README.md');
const BLOCK_TIMEOUT_MS = 120000;

// The README's code blocks, each with its language, text, whether it is marked runnable, the
// section it is in and its first line number (for failure messages).
function readmeBlocks() {
  const lines = readFileSync(README, 'utf8').split('\n');
  const blocks = [];
  let section = '';
  for (let i = 0; i < lines.length; ++i) {
    if (/^#{2,3} /.test(lines[i])) section = lines[i].replace(/^#+ /, '');
    const open = /^```(\w*)/.exec(lines[i]);
    if (!open) continue;
    let j = i + 1;
    while (j < lines.length && !/^```\s*$/.test(lines[j])) ++j;
    assert.ok(j < lines.length, `README.md:${i + 1}: code block never closed`);
    const runnable = i > 0 && lines[i - 1].trim() === '<!-- runnable -->';
    blocks.push({ lang: open[1], text: lines.slice(i + 1, j).join('\n') + '\n', runnable, section, line: i + 2 });
    i = j;
  }
  return blocks;
}

// The `run` scripts of a GitHub Actions job's steps, with each step's name and whether it is
// `if: always()`; steps marked `readme-test: skip` and steps without `run` are left out.
function actionSteps(block) {
  const lines = block.text.split('\n');
  const starts = [];
  lines.forEach((l, i) => { if (/^\s*- (name|uses|run):/.test(l)) starts.push(i); });
  const steps = [];
  starts.forEach((start, n) => {
    const own = lines.slice(start, n + 1 < starts.length ? starts[n + 1] : lines.length);
    if (own.some((l) => l.includes('readme-test: skip'))) return;
    const at = own.findIndex((l) => /^\s*(- )?run:/.test(l));
    if (at < 0) return;
    const m = /^(\s*)(- )?run:\s*(.*)$/.exec(own[at]);
    const indent = m[1].length + (m[2] ? 2 : 0);
    let script = m[3];
    if (script === '|') {
      const body = [];
      for (const l of own.slice(at + 1)) {
        if (l.trim() !== '' && l.length - l.trimStart().length <= indent) break;
        body.push(l);
      }
      const cut = Math.min(...body.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length));
      script = body.map((l) => l.slice(cut)).join('\n');
    }
    const name = (/- name:[ \t]*([^#\n]*)/.exec(own.join('\n')) || [, own[0].trim()])[1].trim();
    steps.push({ name, script: script + '\n', always: own.some((l) => /^\s*if:\s*always\(\)/.test(l)) });
  });
  return steps;
}

// Runs `script` with `bash -euo pipefail` in `cwd`; resolves to { code, out } (stdout + stderr).
// With `envOut`, the script's final environment is written there (NUL-separated) when it succeeds.
function runBash(script, { cwd, env, envOut }) {
  const full = envOut ? `${script}\nenv -0 >${JSON.stringify(envOut)}\n` : script;
  return new Promise((resolve, reject) => {
    const proc = spawn('bash', ['-euo', 'pipefail', '-c', full], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (d) => { out += d; });
    proc.stderr.on('data', (d) => { out += d; });
    const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`no exit in ${BLOCK_TIMEOUT_MS} ms:\n${out}`)); },
      BLOCK_TIMEOUT_MS);
    proc.on('error', reject);
    proc.on('close', (code) => { clearTimeout(timer); resolve({ code, out }); });
  });
}

function readEnv(file) {
  const env = {};
  for (const entry of readFileSync(file, 'utf8').split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  delete env._;
  return env;
}

let tmp;
let emu;
let cleanEnv;
const outputs = [];
const stray = [];

before(async () => {
  tmp = tempDir('tsb-readme-');
  const bin = tmp.file('bin');
  mkdirSync(bin);
  symlinkSync(path.resolve(BIN), path.join(bin, 'tsbridge'));
  // A new user's shell: no credentials, no endpoint, a HOME without ~/.aliyun or ~/.alibabacloud.
  cleanEnv = { PATH: `${bin}:${process.env.PATH}`, HOME: tmp.dir, LANG: 'C.UTF-8', TMPDIR: process.env.TMPDIR || '/tmp' };
});

after(async () => {
  for (const pid of stray) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
  }
  if (emu) await emu.kill();
  tmp?.cleanup();
});

test('the runnable blocks of the README run, in order, against the emulator', async () => {
  const blocks = readmeBlocks();
  const runnable = blocks.filter((b) => b.runnable);
  const sections = new Set(runnable.map((b) => b.section));
  for (const s of ['Quick start', 'A nightly import from cron', 'CI: the emulator as a service of a pipeline']) {
    assert.ok(sections.has(s), `no runnable block in the README's "${s}"`);
  }

  // The quick start's own emulator command, moved to a free port.
  const start = blocks.find((b) => b.section === 'Quick start' && /^tsbridge emulator\b/.test(b.text));
  assert.ok(start, 'the quick start has no `tsbridge emulator` block');
  const args = start.text.trim().split(/\s+/).slice(2).map((a) => a.replace(/^\.\//, `${tmp.dir}/`));
  emu = await startEmulator({ args, keys: false });

  let env = { ...cleanEnv, TSBRIDGE_ENDPOINT: emu.endpoint };
  for (const block of runnable) {
    const where = `README.md:${block.line} (${block.section}, ${block.lang})`;
    if (block.lang === 'sh') {
      const envOut = tmp.file('block.env');
      const r = await runBash(block.text, { cwd: tmp.dir, env, envOut });
      outputs.push({ block, out: r.out });
      assert.equal(r.code, 0, `${where} exited ${r.code}:\n${block.text}\n${r.out}`);
      env = readEnv(envOut);
    } else if (block.lang === 'yaml') {
      const runnerTemp = tmp.file('runner-temp');
      mkdirSync(runnerTemp, { recursive: true });
      const githubEnv = path.join(runnerTemp, 'github.env');
      const base = { ...cleanEnv, RUNNER_TEMP: runnerTemp, GITHUB_ENV: githubEnv, CI: 'true' };
      const steps = actionSteps(block);
      assert.ok(steps.length >= 2, `${where}: expected the job's steps with run scripts`);
      let failed = null;
      for (const step of steps) {
        if (failed && !step.always) continue;
        const stepEnv = { ...base };
        if (existsSync(githubEnv)) {
          for (const l of readFileSync(githubEnv, 'utf8').split('\n')) {
            const eq = l.indexOf('=');
            if (eq > 0) stepEnv[l.slice(0, eq)] = l.slice(eq + 1);
          }
        }
        if (stepEnv.EMULATOR_PID) stray.push(Number(stepEnv.EMULATOR_PID));
        const r = await runBash(step.script, { cwd: tmp.dir, env: stepEnv });
        outputs.push({ block, out: r.out });
        if (r.code !== 0 && !failed) failed = `${where}, step "${step.name}" exited ${r.code}:\n${step.script}\n${r.out}`;
      }
      assert.equal(failed, null, failed);
    } else {
      assert.fail(`${where}: runnable blocks are sh or yaml`);
    }
  }

  // The quick start: the Parquet file holds exactly the CSV's rows that pass its --where.
  const quick = runnable.find((b) => b.section === 'Quick start' && /tsbridge import .*orders\.parquet/s.test(b.text));
  assert.ok(quick, 'the quick start imports no orders.parquet');
  const predicate = /--where "([^"]+)"/.exec(quick.text)[1];
  const db = await openDuck();
  try {
    const csv = `read_csv(${sqlString(tmp.file('orders.csv'))}, header = true, all_varchar = true)`;
    const typed = `SELECT odps_orderkey::BIGINT AS odps_orderkey, odps_orderdate,
                          odps_custkey::BIGINT AS odps_custkey, odps_orderstatus,
                          odps_totalprice::DOUBLE AS odps_totalprice FROM ${csv}`;
    const total = Number(await db.scalar(`SELECT count(*) FROM ${csv}`));
    const expected = await db.rows(`SELECT * FROM (${typed}) WHERE ${predicate} ORDER BY odps_orderkey`);
    const got = await db.rows(`SELECT odps_orderkey, odps_orderdate, odps_custkey, odps_orderstatus, odps_totalprice
                                 FROM read_parquet(${sqlString(tmp.file('orders.parquet'))})`);
    assert.ok(expected.length > 0 && expected.length < total, `the quick start's --where should keep some rows, not all`);
    const doubles = new Set([4]);
    assert.deepEqual(got.map((r) => canonicalRow(r, doubles)), expected.map((r) => canonicalRow(r, doubles)));
    const out = outputs.find((o) => o.block === quick).out;
    assert.match(out, /com\.aliyun\.odps\.TableStoreStorageHandler/, 'describe shows the external table');

    // The cron script: tonight's Parquet file holds the whole table, and its summary says ok.
    const exports = readdirSync(tmp.file('exports'));
    const parquet = exports.find((f) => /^orders-\d{4}-\d\d-\d\d\.parquet$/.test(f));
    const summary = exports.find((f) => /^orders-\d{4}-\d\d-\d\d\.summary\.json$/.test(f));
    assert.ok(parquet && summary, `exports/ holds ${exports.join(', ')}`);
    const cronSummary = JSON.parse(readFileSync(tmp.file(`exports/${summary}`), 'utf8'));
    assert.equal(cronSummary.status, 'ok');
    assert.equal(cronSummary.rows_written, total);
    const all = await db.rows(`SELECT * FROM (${typed}) ORDER BY odps_orderkey`);
    const nightly = await db.rows(`SELECT odps_orderkey, odps_orderdate, odps_custkey, odps_orderstatus, odps_totalprice
                                     FROM read_parquet(${sqlString(tmp.file(`exports/${parquet}`))})`);
    assert.deepEqual(nightly.map((r) => canonicalRow(r, doubles)), all.map((r) => canonicalRow(r, doubles)));

    // The CI job wrote the whole CSV through its own emulator and read it back.
    const ci = JSON.parse(readFileSync(tmp.file('ci-summary.json'), 'utf8'));
    assert.equal(ci.status, 'ok');
    assert.equal(ci.rows_written, total);

    // The shares together hold the table once.
    if (existsSync(tmp.file('shards'))) {
      const shards = await db.rows(`SELECT odps_orderkey, odps_orderdate, odps_custkey, odps_orderstatus, odps_totalprice
                                      FROM read_parquet(${sqlString(tmp.file('shards/part-*.parquet'))})
                                     ORDER BY odps_orderkey`);
      assert.deepEqual(shards.map((r) => canonicalRow(r, doubles)), all.map((r) => canonicalRow(r, doubles)));
      // One split: the last share holds it, the others read nothing, as the README says.
      const splits = [1, 2, 3].map((k) => JSON.parse(readFileSync(tmp.file(`shard-${k}.json`), 'utf8')).splits);
      assert.deepEqual(splits, [0, 0, 1]);
    }
  } finally {
    db.close();
  }
});
