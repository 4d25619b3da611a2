// Rate caps (decisions 11): token buckets that start empty, so over a run longer than 2 s the
// achieved rate (rows, or CU, over the job's own `seconds` in its summary) is within 5% of
// --max-rows-per-sec / --max-cu-per-sec, for export and for import alike.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import { startEmulator, tempDir, runTsbridge, writeJobSpec } from './lib.mjs';

const ROWS = 9000;
const CAP = 3000;  // rows (or CU) per second: 3 s runs

function summaryOf(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function checkRate(what, amount, seconds) {
  assert.ok(seconds > 2, `${what}: a run of ${seconds} s is too short to measure`);
  const rate = amount / seconds;
  assert.ok(Math.abs(rate - CAP) <= 0.05 * CAP,
    `${what}: ${amount} in ${seconds.toFixed(3)} s = ${rate.toFixed(0)}/s; the cap is ${CAP}/s`);
}

test('--max-rows-per-sec and --max-cu-per-sec hold within 5% for export and import', { timeout: 300000 }, async () => {
  const emu = await startEmulator();
  const dir = tempDir('tsb-rate-').dir;
  try {
    const input = path.join(dir, 'rows.csv');
    const lines = ['id,v'];
    for (let i = 0; i < ROWS; ++i) lines.push(`${i},value ${i}`);
    fs.writeFileSync(input, lines.join('\n') + '\n');
    const spec = writeJobSpec(dir, 'rate', {
      endpoint: emu.endpoint, table: 'rate', columns: [['id', 'bigint'], ['v', 'string']], mapping: ':id,v',
    });

    let summary = path.join(dir, 'export.json');
    let r = await runTsbridge(['export', '--spec', spec, '--input', input, '--create-table',
      '--max-rows-per-sec', String(CAP), '--summary', summary]);
    assert.equal(r.code, 0, r.stderr);
    let s = summaryOf(summary);
    assert.equal(s.rows_written, ROWS);
    checkRate('export rows', s.rows_written, s.seconds);

    // Each of these rows is one write CU.
    summary = path.join(dir, 'export-cu.json');
    r = await runTsbridge(['export', '--spec', spec, '--input', input,
      '--max-cu-per-sec', String(CAP), '--summary', summary]);
    assert.equal(r.code, 0, r.stderr);
    s = summaryOf(summary);
    assert.equal(s.write_cu, ROWS);
    checkRate('export write CU', s.write_cu, s.seconds);

    summary = path.join(dir, 'import.json');
    r = await runTsbridge(['import', '--spec', spec, '--output', path.join(dir, 'out.csv'),
      '--max-rows-per-sec', String(CAP), '--summary', summary]);
    assert.equal(r.code, 0, r.stderr);
    s = summaryOf(summary);
    assert.equal(s.rows_read, ROWS);
    checkRate('import rows', s.rows_read, s.seconds);
  } finally {
    await emu.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
