// A Parquet input with values that do not fit the spec (an int column holding values beyond
// int32, a BLOB read as string that is not UTF-8): the reject file (JSON Lines) carries each
// rejected row's values exactly, and once fixed, `export --format jsonl` of it loads them, so the
// table equals the whole input (read back through the official SDK).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import { client, duck, readTable, startEmulator, tempDir, runTsbridge, writeJobSpec } from './lib.mjs';

const ROWS = 2000;
const OUT_OF_RANGE = 3000000000;  // beyond int32

// The generator's values of row i (0-based), as the corrected table must hold them.
function intended(i) {
  return {
    id: i,
    n: i * 7 - 5000,
    s: i % 13 === 0 ? null : `text ${i} \u00e9\u4e2d`,
    x: i / 3,
    b: i % 11 === 0 ? null : i % 2 === 0,
    r: `blob ${i}`,
  };
}
const badN = (i) => i % 50 === 3;
const badR = (i) => i % 100 === 7 || i % 100 === 53;  // 53: both columns bad in one row

test('Parquet reject file carries each row; fixed, it exports back', { timeout: 300000 }, async () => {
  const emu = await startEmulator();
  const dir = tempDir('tsb-pqrejects-').dir;
  try {
    const input = path.join(dir, 'wide.parquet');
    await duck(`COPY (SELECT i::BIGINT AS id,
        CASE WHEN i % 50 = 3 THEN ${OUT_OF_RANGE} + i ELSE i * 7 - 5000 END::BIGINT AS n,
        CASE WHEN i % 13 = 0 THEN NULL ELSE 'text ' || i || ' \u00e9\u4e2d' END AS s,
        i / 3 AS x,
        CASE WHEN i % 11 = 0 THEN NULL ELSE i % 2 = 0 END AS b,
        CASE WHEN i % 100 IN (7, 53) THEN '\\xFF\\xFEx'::BLOB ELSE ('blob ' || i)::BLOB END AS r
      FROM range(${ROWS}) t(i) ORDER BY i) TO '${input}' (FORMAT parquet, ROW_GROUP_SIZE 700)`);
    const spec = writeJobSpec(dir, 'wide', {
      endpoint: emu.endpoint, table: 'pqrejects',
      columns: [['id', 'bigint'], ['n', 'int'], ['s', 'string'], ['x', 'double'], ['b', 'boolean'], ['r', 'string']],
      mapping: ':id,n,s,x,b,r',
    });
    let r = await runTsbridge(['export', '--spec', spec, '--input', input, '--create-table']);
    assert.equal(r.code, 3, r.stderr);

    const rejectsPath = path.join(dir, 'wide.rejects.jsonl');
    const records = fs.readFileSync(rejectsPath, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    const expectedRejected = [];
    for (let i = 0; i < ROWS; ++i) if (badN(i) || badR(i)) expectedRejected.push(i);
    assert.deepEqual(records.map((rec) => rec._source_position), expectedRejected.map((i) => i + 1));
    for (const rec of records) {
      const i = rec._source_position - 1;
      const v = intended(i);
      assert.deepEqual(Object.keys(rec), ['id', 'n', 's', 'x', 'b', 'r', '_source_position', '_error_code', '_error_message']);
      assert.equal(rec.id, i, `row ${i}`);
      assert.equal(rec.n, badN(i) ? OUT_OF_RANGE + i : v.n, `row ${i}`);
      assert.equal(rec.s, v.s, `row ${i}`);
      assert.ok(Object.is(rec.x, v.x), `row ${i}: x ${rec.x} != ${v.x}`);
      assert.equal(rec.b, v.b, `row ${i}`);
      if (badR(i)) {
        assert.deepEqual(rec.r, { base64: Buffer.from([0xff, 0xfe, 0x78]).toString('base64') }, `row ${i}`);
      } else {
        assert.equal(rec.r, v.r, `row ${i}`);
      }
      assert.equal(rec._error_code, 'TSB_BAD_VALUE', `row ${i}`);
      assert.match(rec._error_message, badN(i) ? /column "n".*out of range/ : /column "r".*UTF-8/, `row ${i}`);
    }
    let rows = await readTable(client(emu.endpoint), 'pqrejects', ['id']);
    assert.equal(rows.size, ROWS - expectedRejected.length);

    // Fixed as a user would: the bad values replaced, the rest of each record left as it is.
    const fixedPath = path.join(dir, 'fixed.rejects.txt');
    fs.writeFileSync(fixedPath, records.map((rec) => {
      const i = rec._source_position - 1;
      return JSON.stringify({ ...rec, n: intended(i).n, r: intended(i).r });
    }).join('\n') + '\n');
    r = await runTsbridge(['export', '--spec', spec, '--input', fixedPath, '--format', 'jsonl']);
    assert.equal(r.code, 0, r.stderr);

    rows = await readTable(client(emu.endpoint), 'pqrejects', ['id']);
    assert.equal(rows.size, ROWS);
    for (let i = 0; i < ROWS; ++i) {
      const v = intended(i);
      const row = rows.get(JSON.stringify([String(i)]));
      assert.ok(row, `row ${i} missing`);
      const want = { n: String(v.n), x: v.x, r: v.r };
      if (v.s !== null) want.s = v.s;
      if (v.b !== null) want.b = v.b;
      assert.deepEqual(row.attrs, want, `row ${i}`);
    }
  } finally {
    await emu.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
