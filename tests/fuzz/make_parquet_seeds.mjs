// Writes small Parquet seeds for fuzz_parquet_reader with DuckDB (the test oracle): each codec,
// format v2, dictionary pages with NULLs across row groups. Run: node tests/fuzz/make_parquet_seeds.mjs DIR
// (then prefix each file with the target's two selector bytes, as scripts/fuzz.sh's seeds are).
import { DuckDBInstance } from '@duckdb/node-api';
const out = process.argv[2];
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
const q = `SELECT i::BIGINT AS o_orderkey, strftime(DATE '1996-01-02' + i::INT, '%Y-%m-%d') AS o_orderdate,
  (i * 17.25)::DECIMAL(15,2) AS o_totalprice, (i % 2 = 0) AS flag, i::TINYINT AS tiny, i::INT AS small_int,
  (i / 3.0)::FLOAT AS f, (i / 7.0)::DOUBLE AS d, CASE WHEN i % 3 = 0 THEN NULL ELSE 'v' || i END AS s,
  ('\\x01\\x02' || i)::BLOB AS bin, DATE '2020-02-29' + i::INT AS day,
  TIMESTAMP '2024-01-01 00:00:00' + INTERVAL (i) SECOND AS ts
  FROM range(6) t(i)`;
for (const codec of ['snappy', 'zstd', 'gzip', 'uncompressed', 'lz4_raw', 'brotli']) {
  await c.run(`COPY (${q}) TO '${out}/duckdb_${codec}.parquet' (FORMAT parquet, COMPRESSION ${codec})`);
}
await c.run(`COPY (${q}) TO '${out}/duckdb_v2.parquet' (FORMAT parquet, PARQUET_VERSION v2)`);
await c.run(`COPY (SELECT CASE WHEN i % 2 = 0 THEN 'same' ELSE NULL END AS s, i % 2 AS k FROM range(40) t(i)) TO '${out}/duckdb_dict_nulls.parquet' (FORMAT parquet, ROW_GROUP_SIZE 16)`);
