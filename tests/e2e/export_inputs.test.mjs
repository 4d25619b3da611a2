// Inputs that are streams: a FIFO (named pipe), stdin, a .gz file.
// - `--scatter` needs a seekable, uncompressed file: with any of these it is exit 2 before
//   anything is read (decisions 4); a FIFO is not even opened, so its writer stays blocked.
// - A FIFO without --scatter is read once, as a stream (JSON Lines too: its column check must not
//   consume the stream).
// - SIGTERM / SIGINT while export waits to open a FIFO that has no writer yet is a clean stop:
//   143 / 130 (decisions 2).
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

import { BIN, KEY_ID, KEY_SECRET } from '../conformance/lib.mjs';
import { client, readTable, startEmulator, tempDir, runTsbridge, writeJobSpec } from './lib.mjs';

const ROWS = 3000;

function spawnExport(args, endpoint) {
  const proc = spawn(BIN, ['export', ...args], {
    env: { ...process.env, ALIBABA_CLOUD_ACCESS_KEY_ID: KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: KEY_SECRET,
      TSBRIDGE_ENDPOINT: endpoint },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const exited = once(proc, 'exit').then(([code, signal]) => ({ code, signal, stderr }));
  return { proc, exited };
}

// A shell that writes `file` into `fifo`: it blocks in open() until someone opens the FIFO to
// read, so its exit shows that the FIFO was read.
function fifoWriter(fifo, file) {
  const proc = spawn('sh', ['-c', 'cat "$1" > "$2"', 'sh', file, fifo], { stdio: 'ignore' });
  let done = false;
  proc.on('exit', () => { done = true; });
  return { proc, done: () => done, async kill() { if (!done) { proc.kill('SIGKILL'); await once(proc, 'exit'); } } };
}

// Resolves once `pid` sleeps in the kernel waiting for a FIFO's other end (Linux's
// wait_for_partner); after 5 s it goes on anyway (a kernel that hides wchan).
async function blockedInFifoOpen(pid) {
  for (let i = 0; i < 100; ++i) {
    try {
      if (/partner|fifo/.test(fs.readFileSync(`/proc/${pid}/wchan`, 'utf8'))) return true;
    } catch { /* not readable here */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

function rowsText(format) {
  const lines = format === 'csv' ? ['id,v'] : [];
  for (let i = 0; i < ROWS; ++i) lines.push(format === 'csv' ? `${i},value ${i}` : JSON.stringify({ id: i, v: `value ${i}` }));
  return lines.join('\n') + '\n';
}

async function checkTable(endpoint, table) {
  const rows = await readTable(client(endpoint), table, ['id']);
  assert.equal(rows.size, ROWS);
  for (let i = 0; i < ROWS; i += 97) assert.deepEqual(rows.get(JSON.stringify([String(i)]))?.attrs, { v: `value ${i}` });
}

test('stream inputs: --scatter refused before reading; FIFOs read once; a stop while opening a FIFO', { timeout: 300000 }, async (t) => {
  const emu = await startEmulator();
  const dir = tempDir('tsb-inputs-').dir;
  const spec = (table) => writeJobSpec(dir, table, {
    endpoint: emu.endpoint, table, columns: [['id', 'bigint'], ['v', 'string']], mapping: ':id,v',
  });
  const csvData = path.join(dir, 'data.csv');
  fs.writeFileSync(csvData, rowsText('csv'));
  const jsonlData = path.join(dir, 'data.jsonl');
  fs.writeFileSync(jsonlData, rowsText('jsonl'));
  try {
    await t.test('--scatter with a FIFO: exit 2, the FIFO is never opened', async () => {
      const fifo = path.join(dir, 'scatter.csv');
      execFileSync('mkfifo', [fifo]);
      const writer = fifoWriter(fifo, csvData);
      try {
        const run = spawnExport(['--spec', spec('scatter'), '--input', fifo, '--scatter', '--parallel', '4', '--create-table'], emu.endpoint);
        const r = await run.exited;
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, /--scatter .*seekable, uncompressed file; .*scatter\.csv is a FIFO/);
        await new Promise((res) => setTimeout(res, 200));
        assert.equal(writer.done(), false, 'the FIFO was opened: its writer got through');
      } finally {
        await writer.kill();
      }
    });

    await t.test('--scatter with stdin or a .gz file: exit 2 naming why', async () => {
      let r = await runTsbridge(['export', '--spec', spec('scatter'), '--input', '-', '--format', 'csv', '--scatter'],
        { endpoint: emu.endpoint, input: rowsText('csv') });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /--scatter .*; stdin is a stream/);
      const gz = path.join(dir, 'data.csv.gz');
      fs.writeFileSync(gz, zlib.gzipSync(rowsText('csv')));
      r = await runTsbridge(['export', '--spec', spec('scatter'), '--input', gz, '--scatter'], { endpoint: emu.endpoint });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /--scatter .*data\.csv\.gz is compressed \(gzip\)/);
    });

    for (const format of ['csv', 'jsonl']) {
      await t.test(`a ${format} FIFO is read once, as a stream`, async () => {
        const fifo = path.join(dir, `stream.${format}`);
        execFileSync('mkfifo', [fifo]);
        const writer = fifoWriter(fifo, format === 'csv' ? csvData : jsonlData);
        try {
          const run = spawnExport(['--spec', spec(`fifo_${format}`), '--input', fifo, '--create-table'], emu.endpoint);
          const timer = setTimeout(() => run.proc.kill('SIGKILL'), 60000);
          const r = await run.exited;
          clearTimeout(timer);
          assert.equal(r.code, 0, `exit ${r.code} ${r.signal ?? ''}: ${r.stderr}`);
          await checkTable(emu.endpoint, `fifo_${format}`);
        } finally {
          await writer.kill();
        }
      });
    }

    for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130]]) {
      await t.test(`${signal} while waiting to open a FIFO with no writer: exit ${code}`, async () => {
        const fifo = path.join(dir, `nowriter-${signal}.csv`);
        execFileSync('mkfifo', [fifo]);
        const run = spawnExport(['--spec', spec('nowriter'), '--input', fifo, '--create-table'], emu.endpoint);
        const timer = setTimeout(() => run.proc.kill('SIGKILL'), 60000);
        await blockedInFifoOpen(run.proc.pid);
        run.proc.kill(signal);
        const r = await run.exited;
        clearTimeout(timer);
        assert.equal(r.code, code, `exit ${r.code} ${r.signal ?? ''}: ${r.stderr}`);
        assert.doesNotMatch(r.stderr, new RegExp(KEY_SECRET));
      });
    }
  } finally {
    await emu.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
