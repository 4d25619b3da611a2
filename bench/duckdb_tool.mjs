// DuckDB's side of the benchmark and the harness's independent checker (npm @duckdb/node-api,
// pinned by tests/package-lock.json), always on one thread (SET threads=1):
//
//   node bench/duckdb_tool.mjs convert IN OUT
//       CSV -> Parquet (SNAPPY) or Parquet -> CSV (header), by the extensions: the file-side
//       bound for tsbridge's Parquet writing and reading.
//   node bench/duckdb_tool.mjs noop
//       loads DuckDB and exits: the process start-up cost included in every `convert` figure.
//   node bench/duckdb_tool.mjs compare EXPECTED.csv ACTUAL(.csv|.parquet)
//       exact multiset comparison of the bench's orders columns (EXCEPT ALL both ways); prints
//       `rows=N missing=M extra=E` and exits 1 unless the files hold the same rows.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', 'tests', 'package.json'));
const { DuckDBInstance } = await import(require.resolve('@duckdb/node-api'));

const q = (s) => "'" + s.replaceAll("'", "''") + "'";
const COLUMNS = `{'o_orderkey': 'BIGINT', 'o_orderdate': 'VARCHAR', 'o_custkey': 'BIGINT',
  'o_orderstatus': 'VARCHAR', 'o_totalprice': 'DOUBLE', 'o_comment': 'VARCHAR'}`;
const source = (file) => (file.endsWith('.parquet')
  ? `read_parquet(${q(file)})`
  : `read_csv(${q(file)}, delim=',', quote='"', escape='"', header=true, auto_detect=false, columns=${COLUMNS})`);
const columns = 'o_orderkey, o_orderdate, o_custkey, o_orderstatus, o_totalprice, o_comment';

const [mode, a, b] = process.argv.slice(2);
const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
const conn = await instance.connect();
await conn.run('SET threads = 1');
await conn.run("SET preserve_insertion_order = true");

if (mode === 'noop') {
  // nothing: start-up only
} else if (mode === 'convert') {
  const options = b.endsWith('.parquet') ? 'FORMAT parquet, COMPRESSION snappy' : 'FORMAT csv, HEADER true';
  await conn.run(`COPY (SELECT ${columns} FROM ${source(a)}) TO ${q(b)} (${options})`);
} else if (mode === 'compare') {
  const sel = (f) => `SELECT ${columns.split(', ').map((c) => (c === 'o_totalprice'
    ? 'round(o_totalprice * 100)::BIGINT AS cents' : `CAST(${c} AS ${c.endsWith('key') ? 'BIGINT' : 'VARCHAR'}) AS ${c}`)).join(', ')} FROM ${source(f)}`;
  const one = async (sql) => Number((await conn.runAndReadAll(sql)).getRowsJS()[0][0]);
  const rows = await one(`SELECT count(*) FROM ${source(b)}`);
  const expected = await one(`SELECT count(*) FROM ${source(a)}`);
  const missing = await one(`SELECT count(*) FROM (${sel(a)} EXCEPT ALL ${sel(b)})`);
  const extra = await one(`SELECT count(*) FROM (${sel(b)} EXCEPT ALL ${sel(a)})`);
  console.log(`rows=${rows} expected=${expected} missing=${missing} extra=${extra}`);
  if (rows !== expected || missing !== 0 || extra !== 0) process.exit(1);
} else {
  console.error('usage: duckdb_tool.mjs convert IN OUT | noop | compare EXPECTED ACTUAL');
  process.exit(2);
}
