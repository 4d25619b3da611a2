// The guide's export (maxcompute-tablestore-guide.txt, "Export data from MaxCompute to
// Tablestore"): load the 100k TPC-H orders into ots_tpch_orders, import them with the guide's
// mapping, transform with DuckDB as the guide's INSERT ... SELECT does, export with --mode update,
// and read the table back through the official SDK.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import { TESTDATA, client, duck, readTable, startEmulator, tempDir, runTsbridge, writeJobSpec } from './lib.mjs';

const ORDERS = path.join(TESTDATA, 'parquet/duckdb_orders.parquet');

test('guide export: mapped columns updated, o_comment and rows outside the input unchanged', { timeout: 900000 }, async () => {
  const emu = await startEmulator();
  const dir = tempDir('tsb-guide-').dir;
  try {
    const table = 'ots_tpch_orders';
    const load = writeJobSpec(dir, 'load', {
      endpoint: emu.endpoint, table,
      columns: [['o_orderkey', 'bigint'], ['o_orderdate', 'date'], ['o_custkey', 'bigint'],
        ['o_orderstatus', 'string'], ['o_totalprice', 'double'], ['o_comment', 'string']],
      mapping: ':o_orderkey,:o_orderdate,o_custkey,o_orderstatus,o_totalprice,o_comment',
    });
    let r = await runTsbridge(['export', '--spec', load, '--input', ORDERS, '--mode', 'put', '--create-table']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /--mode put replaces whole rows/);

    // The guide's external table: odps_* columns over the Tablestore columns.
    const guide = writeJobSpec(dir, 'guide', {
      endpoint: emu.endpoint, table,
      columns: [['odps_orderkey', 'bigint'], ['odps_orderdate', 'string'], ['odps_custkey', 'bigint'],
        ['odps_orderstatus', 'string'], ['odps_totalprice', 'double']],
      mapping: ':o_orderkey,:o_orderdate,o_custkey, o_orderstatus,o_totalprice',
    });
    const internal = path.join(dir, 'internal_orders.parquet');
    r = await runTsbridge(['import', '--spec', guide, '--output', internal, '-q']);
    assert.equal(r.code, 0, `import failed: ${r.stderr}`);

    // INSERT OVERWRITE ... SELECT odps_orderkey, odps_orderdate, odps_custkey,
    // CONCAT(odps_custkey, 'SHIPPED'), CEIL(odps_totalprice): for 9 rows in 10, so that some rows
    // of the table are outside the input.
    const transformed = path.join(dir, 'transformed.parquet');
    await duck(`COPY (SELECT odps_orderkey, odps_orderdate, odps_custkey,
                  CONCAT(odps_custkey, 'SHIPPED') AS odps_orderstatus,
                  CEIL(odps_totalprice) AS odps_totalprice
                FROM read_parquet('${internal}') WHERE odps_orderkey % 10 <> 3)
                TO '${transformed}' (FORMAT parquet)`);
    const [{ n }] = await duck(`SELECT count(*)::INTEGER AS n FROM read_parquet('${transformed}')`);

    const summaryPath = path.join(dir, 'summary.json');
    r = await runTsbridge(['export', '--spec', guide, '--input', transformed, '--mode', 'update', '--summary', summaryPath]);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(fs.readFileSync(summaryPath, 'utf8'));
    assert.equal(summary.rows_read, n);
    assert.equal(summary.rows_written, n);
    assert.equal(summary.rows_rejected, 0);
    for (const k of ['bytes_read', 'bytes_written', 'read_cu', 'write_cu', 'seconds']) assert.ok(k in summary, k);

    const rows = await readTable(client(emu.endpoint), table, ['o_orderkey', 'o_orderdate']);
    const orig = await duck(`SELECT o_orderkey::VARCHAR AS k, o_orderdate::VARCHAR AS d, o_custkey::VARCHAR AS c,
                               o_orderstatus AS s, o_totalprice AS p, o_comment AS m FROM read_parquet('${ORDERS}')`);
    assert.equal(rows.size, orig.length);
    let updated = 0;
    for (const o of orig) {
      const row = rows.get(JSON.stringify([o.k, o.d]));
      assert.ok(row, `row ${o.k} missing`);
      const a = row.attrs;
      assert.equal(a.o_comment, o.m, `o_comment of ${o.k}`);
      assert.equal(a.o_custkey, o.c, `o_custkey of ${o.k}`);
      if (BigInt(o.k) % 10n !== 3n) {
        assert.equal(a.o_orderstatus, `${o.c}SHIPPED`, `o_orderstatus of ${o.k}`);
        assert.equal(a.o_totalprice, Math.ceil(o.p), `o_totalprice of ${o.k}`);
        ++updated;
      } else {
        assert.equal(a.o_orderstatus, o.s, `o_orderstatus of ${o.k} (outside the input)`);
        assert.equal(a.o_totalprice, o.p, `o_totalprice of ${o.k} (outside the input)`);
      }
    }
    assert.equal(updated, n);
  } finally {
    await emu.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
