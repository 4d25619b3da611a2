// DuckDB's side of the Parquet write benchmark (see parquet_write_bench.cc): the same 1M rows,
// loaded into an in-memory table first, then COPY ... TO parquet with SNAPPY on one thread.
//
//   node bench/parquet_write_bench.mjs [orders.csv] [out.parquet] [runs=5] [codec=snappy]
//
// Run from /work/main/tests (or with NODE_PATH) so that @duckdb/node-api resolves.
import { createRequire } from 'node:module';
import { statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', 'tests', 'package.json'));
const { DuckDBInstance } = await import(require.resolve('@duckdb/node-api'));

const csv = process.argv[2] ?? '/work/shared/testdata/csv/orders.csv';
const out = process.argv[3] ?? '/tmp/duckdb_bench_orders.parquet';
const runs = Number(process.argv[4] ?? 5);
const codec = process.argv[5] ?? 'snappy';
const q = (s) => "'" + s.replaceAll("'", "''") + "'";

const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
const conn = await instance.connect();
await conn.run('SET threads = 1');
await conn.run(`CREATE TABLE orders AS
  SELECT o_orderkey + r.range * 10000000 AS o_orderkey, o_orderdate_str, o_custkey, o_orderstatus,
         o_totalprice, o_comment
  FROM range(10) r,
       read_csv(${q(csv)}, delim=',', quote='"', escape='"', header=true, auto_detect=false,
                columns={'o_orderkey': 'BIGINT', 'o_custkey': 'BIGINT', 'o_orderstatus': 'VARCHAR',
                         'o_totalprice': 'DOUBLE', 'o_orderdate': 'DATE', 'o_orderpriority': 'VARCHAR',
                         'o_clerk': 'VARCHAR', 'o_shippriority': 'INTEGER', 'o_comment': 'VARCHAR',
                         'o_orderdate_str': 'VARCHAR'})
  ORDER BY r.range, o_orderkey`);
const count = (await conn.runAndReadAll('SELECT count(*) FROM orders')).getRowsJS()[0][0];
console.log(`rows: ${count}, codec ${codec}, DuckDB threads=1`);

const times = [];
const cpuTimes = [];
for (let run = 0; run < runs; ++run) {
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  await conn.run(`COPY orders TO ${q(out)} (FORMAT parquet, COMPRESSION ${codec})`);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const cpu = process.cpuUsage(cpuStart);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  times.push(ms);
  cpuTimes.push(cpuMs);
  console.log(`run ${run + 1}: ${ms.toFixed(1)} ms wall, ${cpuMs.toFixed(1)} ms cpu`);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`duckdb median: ${median(times).toFixed(1)} ms wall, ${median(cpuTimes).toFixed(1)} ms cpu (whole process), ` +
            `file ${statSync(out).size} bytes`);
