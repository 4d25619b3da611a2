// Durability: rows are loaded through the official SDK while the emulator is SIGKILLed mid-load;
// restarted on the same --data directory, it must hold every row whose write was acknowledged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TableStore, Long, startEmulator, makeClient, call, createTable, IGNORE, attr, int64 } from './lib.mjs';

test('every acknowledged write survives SIGKILL', async () => {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'tsb-crash-'));
  let emu = await startEmulator({ args: ['--data', data] });
  let client = makeClient(emu.endpoint);
  await createTable(client, 'c', [{ name: 'k', type: 'INTEGER' }]);
  await call(client, 'putRow', { tableName: 'c', condition: IGNORE(), primaryKey: [{ k: Long.fromNumber(-1) }], attributeColumns: [{ v: 'single' }] });

  const acknowledged = new Set();
  let nextKey = 0;
  let stop = false;
  async function writer() {
    while (!stop) {
      const keys = Array.from({ length: 200 }, () => nextKey++);
      try {
        const res = await call(client, 'batchWriteRow', {
          tables: [{ tableName: 'c', rows: keys.map((k) => ({ type: 'PUT', condition: IGNORE(), primaryKey: [{ k: Long.fromNumber(k) }], attributeColumns: [{ v: `v${k}` }] })) }],
        }, 10000);
        res.tables.forEach((r, i) => { if (r.isOk) acknowledged.add(keys[i]); });
      } catch {
        return; // the server went away mid-request: that batch was never acknowledged
      }
    }
  }
  const writers = [writer(), writer(), writer()];
  while (acknowledged.size < 20000) await new Promise((r) => setTimeout(r, 20));
  await emu.kill();
  stop = true;
  await Promise.all(writers);
  assert.ok(acknowledged.size >= 20000);

  emu = await startEmulator({ args: ['--data', data] });
  client = makeClient(emu.endpoint);
  try {
    const found = new Map();
    let start = [{ k: TableStore.INF_MIN }];
    for (;;) {
      const page = await call(client, 'getRange', {
        tableName: 'c', direction: TableStore.Direction.FORWARD, maxVersions: 1,
        inclusiveStartPrimaryKey: start, exclusiveEndPrimaryKey: [{ k: TableStore.INF_MAX }],
      });
      for (const r of page.rows) found.set(Number(int64(r.primaryKey[0].value)), attr(r, 'v'));
      if (!page.nextStartPrimaryKey) break;
      start = page.nextStartPrimaryKey.map((c) => ({ [c.name]: c.value }));
    }
    assert.equal(found.get(-1), 'single');
    const missing = [...acknowledged].filter((k) => found.get(k) !== `v${k}`);
    assert.deepEqual(missing.slice(0, 10), [], `${missing.length} acknowledged rows lost`);
  } finally {
    await emu.stop();
    fs.rmSync(data, { recursive: true, force: true });
  }
});
