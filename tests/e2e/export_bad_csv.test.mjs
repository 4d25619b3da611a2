// A CSV with 1% malformed lines: every good row is written, every bad line is in the reject file
// with its physical line number and reason, and the reject file, once fixed, exports cleanly.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import { client, duck, readTable, startEmulator, tempDir, runTsbridge, writeJobSpec } from './lib.mjs';

test('1% malformed CSV lines go to the reject file; the fixed reject file exports', { timeout: 300000 }, async () => {
  const emu = await startEmulator();
  const dir = tempDir('tsb-badcsv-').dir;
  try {
    const RECORDS = 10000;
    const text = ['id,n,s'];
    let line = 2;  // the header is line 1
    const bad = new Map();  // line -> code
    const expected = new Map();
    for (let i = 0; i < RECORDS; ++i) {
      const s = i % 37 === 0 ? `"multi\nline ${i}"` : `text ${i}`;
      const value = i % 37 === 0 ? `multi\nline ${i}` : `text ${i}`;
      expected.set(String(i), { n: String(i * 3), s: value });
      if (i % 100 === 50) {
        text.push(`${i},${i * 3},${s},surplus`);
        bad.set(line, 'TSB_FIELD_COUNT');
      } else if (i % 100 === 99) {
        text.push(`${i},x${i * 3},${s}`);
        bad.set(line, 'TSB_BAD_VALUE');
      } else {
        text.push(`${i},${i * 3},${s}`);
      }
      line += i % 37 === 0 ? 2 : 1;
    }
    const input = path.join(dir, 'orders_in.csv');
    fs.writeFileSync(input, text.join('\n') + '\n');
    const spec = writeJobSpec(dir, 'bad', {
      endpoint: emu.endpoint, table: 'badcsv',
      columns: [['id', 'bigint'], ['n', 'bigint'], ['s', 'string']], mapping: ':id,n,s',
    });
    let r = await runTsbridge(['export', '--spec', spec, '--input', input, '--create-table']);
    assert.equal(r.code, 3, r.stderr);

    const rejectsPath = path.join(dir, 'orders_in.rejects.csv');
    const rejects = await duck(`SELECT * FROM read_csv('${rejectsPath}', header=true, all_varchar=true, quote='"', escape='"', delim=',')`);
    assert.equal(rejects.length, bad.size);
    for (const rec of rejects) {
      const at = Number(rec._source_position);
      assert.equal(rec._error_code, bad.get(at), `line ${at}`);
      assert.ok(rec._error_message.length > 0);
      if (rec._error_code === 'TSB_FIELD_COUNT') assert.match(rec._raw_record, /,surplus$/);
      if (rec._error_code === 'TSB_BAD_VALUE') assert.match(rec._error_message, /"n"|n/);
    }
    let rows = await readTable(client(emu.endpoint), 'badcsv', ['id']);
    assert.equal(rows.size, RECORDS - bad.size);

    // Fix it the way a user would, keeping the extra columns: export ignores them.
    const fixed = path.join(dir, 'fixed.csv');
    await duck(`COPY (SELECT
        CASE WHEN _error_code = 'TSB_FIELD_COUNT' THEN split_part(_raw_record, ',', 1) ELSE id END AS id,
        CASE WHEN _error_code = 'TSB_FIELD_COUNT' THEN split_part(_raw_record, ',', 2) ELSE replace(n, 'x', '') END AS n,
        CASE WHEN _error_code = 'TSB_FIELD_COUNT' THEN split_part(_raw_record, ',', 3) ELSE s END AS s,
        _source_position, _raw_record, _error_code, _error_message
      FROM read_csv('${rejectsPath}', header=true, all_varchar=true, quote='"', escape='"', delim=','))
      TO '${fixed}' (HEADER, DELIMITER ',')`);
    r = await runTsbridge(['export', '--spec', spec, '--input', fixed]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!fs.existsSync(path.join(dir, 'fixed.rejects.csv')));

    rows = await readTable(client(emu.endpoint), 'badcsv', ['id']);
    assert.equal(rows.size, RECORDS);
    for (const [k, v] of expected) {
      const row = rows.get(JSON.stringify([k]));
      assert.equal(row.attrs.n, v.n, `key ${k}`);
      if (!v.s.includes('\n')) assert.equal(row.attrs.s, v.s, `key ${k}`);
    }
  } finally {
    await emu.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
