// Rows with 1.5 MB cells travel in requests that each stay under 4 MiB (the emulator refuses a
// larger one, and its debug log shows every request); one row with a 3 MB cell is rejected alone
// (TSB_TOO_LARGE) and every other row is written.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import { batchWriteLog, call, client, startEmulator, tempDir, runTsbridge, writeJobSpec, TableStore } from './lib.mjs';

test('1.5 MB cells: requests under 4 MiB; a 3 MB cell is rejected alone', { timeout: 300000 }, async () => {
  const emu = await startEmulator({ args: ['--log-level', 'debug'] });
  const dir = tempDir('tsb-large-').dir;
  try {
    const input = path.join(dir, 'big.jsonl');
    const lines = [];
    const ROWS = 12;
    const BAD = 7;
    for (let i = 0; i < ROWS; ++i) {
      const size = i === BAD ? 3000000 : 1500000;
      lines.push(JSON.stringify({ id: i, payload: String.fromCharCode(97 + i).repeat(size), extra: 'ignored' }));
    }
    fs.writeFileSync(input, lines.join('\n') + '\n');
    const spec = writeJobSpec(dir, 'big', {
      endpoint: emu.endpoint, table: 'big',
      columns: [['id', 'bigint'], ['payload', 'string']], mapping: ':id,payload',
    });
    const r = await runTsbridge(['export', '--spec', spec, '--input', input, '--create-table', '--parallel', '2']);
    assert.equal(r.code, 3, r.stderr);
    const m = /largest request (\d+) rows \/ (\d+) bytes/.exec(r.stderr);
    assert.ok(m, r.stderr);
    assert.ok(Number(m[2]) <= 4194304, `largest request ${m[2]} bytes`);
    assert.match(r.stderr, / 0 refused as a whole/);

    const log = batchWriteLog(emu);
    assert.ok(log.length >= (ROWS - 1) / 2, `BatchWriteRow requests: ${log.length}`);
    for (const line of log) assert.match(line, /status=200/);
    const rows = log.map((l) => Number(/rows=(\d+)/.exec(l)[1]));
    assert.equal(rows.reduce((a, b) => a + b, 0), ROWS - 1);
    assert.ok(Math.max(...rows) <= 2);

    const rejects = fs.readFileSync(path.join(dir, 'big.rejects.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(rejects.length, 1);
    assert.equal(rejects[0].id, BAD);
    assert.equal(rejects[0]._error_code, 'TSB_TOO_LARGE');
    assert.equal(rejects[0]._source_position, BAD + 1);
    assert.equal(rejects[0].payload.length, 3000000);

    const sdk = client(emu.endpoint);
    for (let i = 0; i < ROWS; ++i) {
      const data = await call(sdk, 'getRow', { tableName: 'big', primaryKey: [{ id: TableStore.Long.fromNumber(i) }], maxVersions: 1 });
      if (i === BAD) {
        assert.equal(data.row.primaryKey, undefined, 'the 3 MB row must not exist');
      } else {
        const cell = data.row.attributes.find((a) => a.columnName === 'payload');
        assert.equal(cell.columnValue.length, 1500000);
        assert.equal(cell.columnValue[0], String.fromCharCode(97 + i));
      }
    }
  } finally {
    await emu.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
