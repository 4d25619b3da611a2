// --parallel 4 writes the same table as --parallel 1 (duplicates included: rows with one key
// always go to one writer, in input order). --scatter is refused (exit 2) by this build.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import { client, readTable, startEmulator, tempDir, tsbridge, writeSpec } from './export_lib.mjs';

test('--parallel 4 writes the same table as --parallel 1', { timeout: 300000 }, async () => {
  const emu = await startEmulator();
  const dir = tempDir('parallel');
  try {
    // Unsorted keys, 10% of them repeated with other values, some NULLs.
    let seed = 7;
    const rand = () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed >>> 8; };
    const lines = ['k,d,v,x'];
    for (let i = 0; i < 30000; ++i) {
      const k = rand() % 27000;
      const x = i % 13 === 0 ? '' : String(rand() % 1000);
      lines.push(`${k},day${k % 7},value ${i},${x}`);
    }
    const input = path.join(dir, 'rows.csv');
    fs.writeFileSync(input, lines.join('\n') + '\n');
    const tables = {};
    for (const [name, args] of [['p1', ['--parallel', '1']], ['p4', ['--parallel', '4']]]) {
      const spec = writeSpec(dir, name, {
        endpoint: emu.endpoint, table: name,
        columns: [['k', 'bigint'], ['d', 'string'], ['v', 'string'], ['x', 'bigint']], mapping: ':k,:d,v,x',
      });
      const r = await tsbridge(['export', '--spec', spec, '--input', input, '--create-table', '--nulls', 'delete', ...args]);
      assert.equal(r.code, 0, r.stderr);
      tables[name] = await readTable(client(emu.endpoint), name, ['k', 'd']);
    }
    assert.ok(tables.p1.size > 15000, `${tables.p1.size} rows`);
    assert.deepEqual([...tables.p4.entries()].sort(), [...tables.p1.entries()].sort());

    const spec = writeSpec(dir, 'scatter', {
      endpoint: emu.endpoint, table: 'p1',
      columns: [['k', 'bigint'], ['d', 'string'], ['v', 'string'], ['x', 'bigint']], mapping: ':k,:d,v,x',
    });
    let r = await tsbridge(['export', '--spec', spec, '--input', input, '--parallel', '4', '--scatter']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--scatter/);
    r = await tsbridge(['export', '--spec', spec, '--input', '-', '--format', 'csv', '--scatter'], { input: 'k,d,v,x\n' });
    assert.equal(r.code, 2, r.stderr);
  } finally {
    await emu.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
