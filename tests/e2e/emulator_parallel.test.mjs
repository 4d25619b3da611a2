// `tsbridge export --parallel 64` against the emulator completes, and the table read back through
// the official SDK is exactly the input (decisions.md section 11: 64 writers hold 64 connections,
// more than the emulator's worker threads, and none may wait forever).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import { client, readTable, startEmulator, tempDir, runTsbridge, writeJobSpec } from './lib.mjs';

test('export --parallel 64 writes every row exactly', { timeout: 180000 }, async () => {
  const emu = await startEmulator();
  const dir = tempDir('tsb-emu-parallel-').dir;
  try {
    const rows = 30000;
    // Keys in a scrambled order so that all 64 writers have work from the start.
    const expected = new Map();
    const lines = ['k,name,n'];
    for (let i = 0; i < rows; ++i) {
      const k = (i * 7919) % rows;
      const name = `name ${k}`;
      const n = String(k * 3 - 1000);
      lines.push(`${k},${name},${n}`);
      expected.set(JSON.stringify([String(k)]), { name, n });
    }
    const input = path.join(dir, 'rows.csv');
    fs.writeFileSync(input, lines.join('\n') + '\n');
    const spec = writeJobSpec(dir, 'p64', {
      endpoint: emu.endpoint, table: 'p64',
      columns: [['k', 'bigint'], ['name', 'string'], ['n', 'bigint']], mapping: ':k,name,n',
    });
    const start = Date.now();
    const r = await runTsbridge(['export', '--spec', spec, '--input', input, '--create-table', '--parallel', '64']);
    const seconds = (Date.now() - start) / 1000;
    assert.equal(r.code, 0, r.stderr);
    // Takes ~2 s on an idle machine. A server that ties a thread to a connection serves the
    // writers past its thread count only once the first ones' connections time out idle (30 s
    // with cpp-httplib's pool of 32): the bound is loose for a busy machine, far below that.
    assert.ok(seconds < 25, `export --parallel 64 took ${seconds} s`);

    const table = await readTable(client(emu.endpoint), 'p64', ['k']);
    assert.equal(table.size, rows);
    for (const [key, { attrs }] of table) {
      assert.deepEqual({ name: attrs.name, n: attrs.n }, expected.get(key), key);
    }
  } finally {
    await emu.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
