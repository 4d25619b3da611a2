// `export --shard K/N`: shares 1/8 .. 8/8 run one after another write exactly the input between
// them, and keys with regular low bits (multiples of 8 or 2048) still spread over every share.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import { client, readTable, startEmulator, tempDir, runTsbridge, writeJobSpec } from './lib.mjs';

const N = 8;

// Runs shares 1/N .. N/N of `input` into `table`; resolves to each share's rows written.
async function runShares(emu, dir, table, input) {
  const spec = writeJobSpec(dir, table, {
    endpoint: emu.endpoint, table,
    columns: [['id', 'bigint'], ['v', 'string']], mapping: ':id,v',
  });
  const written = [];
  for (let k = 1; k <= N; ++k) {
    const summary = path.join(dir, `${table}-${k}.summary.json`);
    const r = await runTsbridge(['export', '--spec', spec, '--input', input, '--create-table',
      '--shard', `${k}/${N}`, '--summary', summary]);
    assert.equal(r.code, 0, r.stderr);
    written.push(JSON.parse(fs.readFileSync(summary, 'utf8')).rows_written);
  }
  return written;
}

function writeInput(file, keys) {
  fs.writeFileSync(file, 'id,v\n' + keys.map((k) => `${k},value ${k}`).join('\n') + '\n');
}

async function checkTable(emu, table, keys) {
  const rows = await readTable(client(emu.endpoint), table, ['id']);
  assert.equal(rows.size, keys.length);
  for (const k of keys) {
    assert.deepEqual(rows.get(JSON.stringify([String(k)]))?.attrs, { v: `value ${k}` }, `key ${k}`);
  }
}

test('--shard 1/8 .. 8/8 spread keys with regular low bits and write exactly the input', { timeout: 300000 }, async () => {
  const emu = await startEmulator();
  const dir = tempDir('tsb-shards-').dir;
  try {
    // 62 keys that plain FNV-1a put all into share 2 of 8.
    const regular = [];
    for (let i = 1; i <= 31; ++i) regular.push(8 * i);
    for (let i = 1; i <= 31; ++i) regular.push(2048 * i);
    const regularInput = path.join(dir, 'regular.csv');
    writeInput(regularInput, regular);
    const spread = await runShares(emu, dir, 'regular', regularInput);
    assert.equal(spread.reduce((a, b) => a + b, 0), regular.length);
    for (const n of spread) {
      assert.ok(n > 0 && n <= 2 * regular.length / N, `rows per share: ${spread.join(', ')}`);
    }
    await checkTable(emu, 'regular', regular);

    // A plain range: the shares are disjoint and together the input.
    const range = Array.from({ length: 5000 }, (_, i) => i - 1000);
    const rangeInput = path.join(dir, 'range.csv');
    writeInput(rangeInput, range);
    const counts = await runShares(emu, dir, 'range', rangeInput);
    assert.equal(counts.reduce((a, b) => a + b, 0), range.length);
    for (const n of counts) assert.ok(n > 0 && n <= 2 * range.length / N, `rows per share: ${counts.join(', ')}`);
    await checkTable(emu, 'range', range);
  } finally {
    await emu.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
