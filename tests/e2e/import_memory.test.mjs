// Streaming with bounded memory: importing 400k rows takes about the peak memory of importing
// 100k. One table holds the corpus's 100k orders four times over (o_orderkey shifted by 10^7 for
// each copy); the 100k import reads the first copy through a pushed-down key bound, the 400k
// import reads the whole table. Both run one scanner (--parallel 1), so both stream one split.
// Peak RSS comes from /usr/bin/time -v when it is installed, else from polling VmHWM (the kernel's
// high-water mark, so a poll shortly before exit still sees an earlier peak; TSB_E2E_POLL_RSS=1
// forces the polling).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import {
  BIN, KEY_ID, KEY_SECRET, startEmulator, makeClient, openDuck, tempDir, writeSpec, guideSpec, readOrders,
  loadOrders, INSTANCE,
} from './lib.mjs';

const COPIES = 4;
const OFFSET = 10000000n;
let emu;
let tmp;
let spec;
let perCopy;

before(async () => {
  tmp = tempDir('tsb-import-memory-');
  emu = await startEmulator();
  const client = makeClient(emu.endpoint, { instance: INSTANCE });
  const duck = await openDuck();
  const orders = await readOrders(duck);
  duck.close();
  perCopy = orders.length;
  for (let c = 0; c < COPIES; c++) {
    await loadOrders(client, orders, { create: c === 0, keyOffset: OFFSET * BigInt(c) });
  }
  spec = writeSpec(tmp.file('orders.json'), guideSpec(emu.endpoint));
});

after(async () => {
  if (emu) await emu.stop();
  tmp?.cleanup();
});

// Runs tsbridge; resolves to { code, stderr, peakKiB }.
function runMeasured(args) {
  const env = { ...process.env, ALIBABA_CLOUD_ACCESS_KEY_ID: KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: KEY_SECRET };
  const timed = !process.env.TSB_E2E_POLL_RSS && existsSync('/usr/bin/time');
  const argv = timed ? ['-v', BIN, ...args] : args;
  return new Promise((resolve, reject) => {
    const proc = spawn(timed ? '/usr/bin/time' : BIN, argv, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let polled = 0;
    proc.stderr.on('data', (d) => { stderr += d; });
    const poll = timed ? null : setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'));
        if (m) polled = Math.max(polled, Number(m[1]));
      } catch { /* exited */ }
    }, 2);
    proc.on('error', reject);
    proc.on('close', (code) => {
      if (poll) clearInterval(poll);
      let peakKiB = polled;
      if (timed) {
        const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
        peakKiB = m ? Number(m[1]) : 0;
      }
      resolve({ code, stderr, peakKiB, polled: !timed });
    });
  });
}

test('peak memory of a 400k-row import stays close to a 100k-row one (CSV and Parquet)', async (t) => {
  for (const format of ['csv', 'parquet']) {
    const small = await runMeasured(['import', '--spec', spec, '--parallel', '1', '--where', `odps_orderkey < ${OFFSET}`,
      '--output', tmp.file(`small.${format}`)]);
    assert.equal(small.code, 0, small.stderr);
    assert.match(small.stderr, new RegExp(`${perCopy} written`));
    const large = await runMeasured(['import', '--spec', spec, '--parallel', '1', '--output', tmp.file(`large.${format}`)]);
    assert.equal(large.code, 0, large.stderr);
    assert.match(large.stderr, new RegExp(`${perCopy * COPIES} written`));
    t.diagnostic(`${format}: peak RSS ${small.peakKiB} KiB for ${perCopy} rows, ${large.peakKiB} KiB for ${perCopy * COPIES} rows`);
    assert.ok(small.peakKiB > 0 && large.peakKiB > 0, 'peak RSS measured');
    // Flat: 4x the rows may cost at most 25% (and 16 MiB of slack) more memory; polling may miss
    // the last moments of the short run, so it gets 50%.
    const factor = small.polled ? 1.5 : 1.25;
    assert.ok(large.peakKiB <= small.peakKiB * factor + 16384,
      `${format}: ${large.peakKiB} KiB for 4x the rows vs ${small.peakKiB} KiB`);
  }
});

// Stopped mid-run (the 400k-row import takes well over a second): a clean stop with exit 130 for
// SIGINT, 143 for SIGTERM, and no file under the final name, nor part files.
test('SIGINT / SIGTERM stop the import cleanly, leaving nothing', async () => {
  const env = { ...process.env, ALIBABA_CLOUD_ACCESS_KEY_ID: KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: KEY_SECRET };
  for (const [signal, code, output] of [['SIGINT', 130, 'stopped.csv'], ['SIGTERM', 143, 'stopped_parts/']]) {
    const out = tmp.file(output);
    const proc = spawn(BIN, ['import', '--spec', spec, '--parallel', '2', '--format', 'csv', '--output', out],
      { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (d) => { stderr += d; });
    const exited = new Promise((resolve) => proc.on('close', (c) => resolve(c)));
    // Signal once the output's temporary file exists: the job is past start-up and scanning.
    const watched = output.endsWith('/') ? out : tmp.dir;
    const prefix = output.endsWith('/') ? '.part-' : '.stopped.csv.tmp-';
    const deadline = Date.now() + 60000;
    while (!(existsSync(watched) && readdirSync(watched).some((n) => n.startsWith(prefix)))) {
      assert.ok(Date.now() < deadline && proc.exitCode === null, `${signal}: the import never started writing: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    proc.kill(signal);
    const got = await exited;
    assert.equal(got, code, `${signal}: ${stderr}`);
    assert.match(stderr, /stopped/);
    if (output.endsWith('/')) {
      assert.deepEqual(existsSync(out) ? readdirSync(out) : [], [], `${signal}: no part files`);
    } else {
      assert.ok(!existsSync(out), `${signal}: no file under the final name`);
    }
    assert.deepEqual(readdirSync(tmp.dir).filter((n) => /^\.?stopped/.test(n) && !n.endsWith('_parts')), [], 'no temporary files');
  }
});
