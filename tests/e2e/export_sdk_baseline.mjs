// Export throughput against the official SDK (not a test: run by hand, figures for the closing
// note). Loads the 100k orders of csv/orders.csv into three fresh tables of one emulator:
//   sdk      the official Node SDK: BatchWriteRow PUTs of 200 rows, 4 requests in flight
//   put      tsbridge export --mode put
//   update   tsbridge export (--mode update, the default)
// and prints rows/s of each.
//   TSBRIDGE_BIN=build/tsbridge node tests/e2e/export_sdk_baseline.mjs [--data DIR]
import path from 'node:path';
import fs from 'node:fs';

import { bulkPut, createTable } from '../conformance/lib.mjs';
import { TESTDATA, TableStore, client, duck, startEmulator, tempDir, runTsbridge, writeJobSpec } from './lib.mjs';

const ORDERS = path.join(TESTDATA, 'csv/orders.csv');
const dataArg = process.argv.indexOf('--data');
const emu = await startEmulator({ args: dataArg > 0 ? ['--data', process.argv[dataArg + 1]] : [] });
const dir = tempDir('tsb-baseline-').dir;
try {
  const rows = await duck(`SELECT o_orderkey::VARCHAR AS k, o_custkey::VARCHAR AS c, o_orderstatus AS s, o_totalprice AS p,
                             o_orderdate::VARCHAR AS d, o_orderpriority AS pr, o_clerk AS cl, o_shippriority::VARCHAR AS sp,
                             o_comment AS m FROM read_csv('${ORDERS}', header=true)`);
  const Long = TableStore.Long;
  const sdkRows = rows.map((r) => ({
    primaryKey: [{ o_orderkey: Long.fromString(r.k) }],
    attributeColumns: [{ o_custkey: Long.fromString(r.c) }, { o_orderstatus: r.s }, { o_totalprice: r.p },
      { o_orderdate: r.d }, { o_orderpriority: r.pr }, { o_clerk: r.cl }, { o_shippriority: Long.fromString(r.sp) },
      { o_comment: r.m }],
  }));
  const sdk = client(emu.endpoint);
  await createTable(sdk, 'sdk', [{ name: 'o_orderkey', type: 'INTEGER' }]);
  let t0 = process.hrtime.bigint();
  await bulkPut(sdk, 'sdk', sdkRows, { per: 200, inFlight: 4 });
  const sdkSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`sdk (200-row BatchWriteRow PUT, 4 in flight): ${rows.length} rows in ${sdkSeconds.toFixed(2)} s = ${Math.round(rows.length / sdkSeconds)} rows/s`);

  for (const mode of ['put', 'update']) {
    const spec = writeJobSpec(dir, mode, {
      endpoint: emu.endpoint, table: mode,
      columns: [['o_orderkey', 'bigint'], ['o_custkey', 'bigint'], ['o_orderstatus', 'string'], ['o_totalprice', 'double'],
        ['o_orderdate', 'date'], ['o_orderpriority', 'string'], ['o_clerk', 'string'], ['o_shippriority', 'int'], ['o_comment', 'string']],
      mapping: ':o_orderkey,o_custkey,o_orderstatus,o_totalprice,o_orderdate,o_orderpriority,o_clerk,o_shippriority,o_comment',
    });
    const summary = path.join(dir, `${mode}.summary.json`);
    t0 = process.hrtime.bigint();
    const r = await runTsbridge(['export', '--spec', spec, '--input', ORDERS, '--mode', mode, '--create-table', '-q', '--summary', summary]);
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.code !== 0) throw new Error(r.stderr);
    const s = JSON.parse(fs.readFileSync(summary, 'utf8'));
    console.log(`tsbridge export --mode ${mode}: ${s.rows_written} rows in ${s.seconds.toFixed(2)} s = ${Math.round(s.rows_written / s.seconds)} rows/s (process wall ${wall.toFixed(2)} s: ${Math.round(s.rows_written / wall)} rows/s, ${(s.rows_written / s.seconds / (rows.length / sdkSeconds)).toFixed(1)}x the SDK)`);
  }
} finally {
  await emu.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
