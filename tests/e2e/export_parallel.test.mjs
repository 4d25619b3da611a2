// --parallel 4 and --parallel 4 --scatter write the same table as --parallel 1 (duplicates
// included): rows with one key always go to one writer in input order, and scatter cuts a
// key-ordered input only where the key changes. An input out of key order falls back to the
// ordinary parallel path; stdin and compressed files with --scatter are exit 2. Parquet is cut
// into row ranges.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

import { TESTDATA, client, readTable, startEmulator, tempDir, runTsbridge, writeJobSpec } from './lib.mjs';

async function exportAll(emu, dir, input, runs) {
  const tables = {};
  for (const [name, args] of runs) {
    const spec = writeJobSpec(dir, name, {
      endpoint: emu.endpoint, table: name,
      columns: [['k', 'bigint'], ['d', 'string'], ['v', 'string'], ['x', 'bigint']], mapping: ':k,:d,v,x',
    });
    const r = await runTsbridge(['export', '--spec', spec, '--input', input, '--create-table', '--nulls', 'delete', ...args]);
    assert.equal(r.code, 0, r.stderr);
    tables[name] = { rows: await readTable(client(emu.endpoint), name, ['k', 'd']), stderr: r.stderr };
  }
  return tables;
}

function same(a, b) {
  assert.deepEqual([...a.rows.entries()].sort(), [...b.rows.entries()].sort());
}

test('--parallel 4 and --scatter write the same table as --parallel 1', { timeout: 300000 }, async () => {
  const emu = await startEmulator();
  const dir = tempDir('tsb-parallel-').dir;
  try {
    // Unsorted keys, some repeated with other values, some NULLs.
    let seed = 7;
    const rand = () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed >>> 8; };
    const lines = ['k,d,v,x'];
    const records = [];
    for (let i = 0; i < 30000; ++i) {
      const k = rand() % 27000;
      const x = i % 13 === 0 ? '' : String(rand() % 1000);
      const v = i % 17 === 0 ? `"value ${i}\nwith a line break"` : `value ${i}`;
      records.push([k, `${k},day${k % 7},${v},${x}`]);
    }
    const unsorted = path.join(dir, 'rows.csv');
    fs.writeFileSync(unsorted, [lines[0], ...records.map((r) => r[1])].join('\n') + '\n');
    // The same records in key order (a stable sort keeps the duplicates' order).
    const sorted = path.join(dir, 'sorted.csv');
    records.sort((a, b) => a[0] - b[0]);
    fs.writeFileSync(sorted, [lines[0], ...records.map((r) => r[1])].join('\n') + '\n');

    const t = await exportAll(emu, dir, sorted, [
      ['p1', ['--parallel', '1']], ['p4', ['--parallel', '4']], ['s4', ['--parallel', '4', '--scatter']]]);
    assert.ok(t.p1.rows.size > 15000, `${t.p1.rows.size} rows`);
    same(t.p4, t.p1);
    same(t.s4, t.p1);
    assert.match(t.s4.stderr, /--scatter: reading 4 key ranges/);

    const u = await exportAll(emu, dir, unsorted, [['u1', ['--parallel', '1']], ['u4', ['--parallel', '4', '--scatter']]]);
    same(u.u4, u.u1);
    same(u.u1, t.p1);
    assert.match(u.u4.stderr, /not in primary-key order/);

    // Parquet: the 100k orders (key-ordered), --scatter against --parallel 1.
    const orders = path.join(TESTDATA, 'parquet/duckdb_orders.parquet');
    const ordersTables = {};
    for (const [name, args] of [['o1', ['--parallel', '1']], ['o4', ['--parallel', '4', '--scatter']]]) {
      const ospec = writeJobSpec(dir, name, {
        endpoint: emu.endpoint, table: name,
        columns: [['o_orderkey', 'bigint'], ['o_orderdate', 'date'], ['o_custkey', 'bigint'], ['o_comment', 'string']],
        mapping: ':o_orderkey,:o_orderdate,o_custkey,o_comment',
      });
      const r = await runTsbridge(['export', '--spec', ospec, '--input', orders, '--create-table', ...args]);
      assert.equal(r.code, 0, r.stderr);
      if (name === 'o4') assert.match(r.stderr, /--scatter: reading 4 key ranges/);
      ordersTables[name] = { rows: await readTable(client(emu.endpoint), name, ['o_orderkey', 'o_orderdate']) };
    }
    assert.equal(ordersTables.o1.rows.size, 100000);
    same(ordersTables.o4, ordersTables.o1);

    const spec = writeJobSpec(dir, 'refused', {
      endpoint: emu.endpoint, table: 'p1',
      columns: [['k', 'bigint'], ['d', 'string'], ['v', 'string'], ['x', 'bigint']], mapping: ':k,:d,v,x',
    });
    let r = await runTsbridge(['export', '--spec', spec, '--input', '-', '--format', 'csv', '--scatter'], { input: 'k,d,v,x\n' });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--scatter/);
    const gz = path.join(dir, 'rows.csv.gz');
    fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(sorted)));
    r = await runTsbridge(['export', '--spec', spec, '--input', gz, '--scatter']);
    assert.equal(r.code, 2, r.stderr);
  } finally {
    await emu.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
