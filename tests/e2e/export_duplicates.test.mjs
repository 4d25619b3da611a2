// A key-sorted input where 10% of the keys repeat: every key ends with its last value, and the
// service refused no request (two rows with one key never travel in one BatchWriteRow).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import { batchWriteLog, client, readTable, startEmulator, tempDir, runTsbridge, writeJobSpec } from './lib.mjs';

test('10% duplicate keys in a key-sorted input: the last value wins, no request refused', { timeout: 300000 }, async () => {
  const emu = await startEmulator({ args: ['--log-level', 'debug'] });
  const dir = tempDir('tsb-dups-').dir;
  try {
    const KEYS = 20000;
    const lines = ['id,v,w'];
    const expected = new Map();
    for (let k = 0; k < KEYS; ++k) {
      if (k % 10 === 0) lines.push(`${k},first-${k},`);  // w NULL: skipped, not deleted
      lines.push(`${k},last-${k},w${k}`);
      expected.set(String(k), `last-${k}`);
    }
    const input = path.join(dir, 'sorted.csv');
    fs.writeFileSync(input, lines.join('\n') + '\n');
    const spec = writeJobSpec(dir, 'dups', {
      endpoint: emu.endpoint, table: 'dups',
      columns: [['id', 'bigint'], ['v', 'string'], ['w', 'string']], mapping: ':id,v,w',
    });
    const summaryPath = path.join(dir, 'summary.json');
    const r = await runTsbridge(['export', '--spec', spec, '--input', input, '--create-table', '--summary', summaryPath]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, / 0 refused as a whole/);
    const summary = JSON.parse(fs.readFileSync(summaryPath, 'utf8'));
    assert.equal(summary.rows_read, lines.length - 1);
    assert.equal(summary.rows_written, lines.length - 1);

    const log = batchWriteLog(emu);
    for (const line of log) assert.match(line, /status=200/, line);
    // Duplicates do not shrink requests: close to 22000 / 200 requests.
    assert.ok(log.length <= 140, `${log.length} requests`);

    const rows = await readTable(client(emu.endpoint), 'dups', ['id']);
    assert.equal(rows.size, KEYS);
    for (const [k, v] of expected) {
      const row = rows.get(JSON.stringify([k]));
      assert.equal(row.attrs.v, v, `key ${k}`);
      assert.equal(row.attrs.w, `w${k}`, `key ${k}`);
    }
  } finally {
    await emu.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
