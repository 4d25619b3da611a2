// DuckDB as the oracle for files written by tsbridge's Parquet writer.
//
//   node parquet_duckdb_check.mjs rows FILE.parquet EXPECTED.jsonl
//   node parquet_duckdb_check.mjs sql  FILE.parquet QUERIES.jsonl
//
// rows: EXPECTED's first line is {"columns": [[name, duckdb_type], ...]}; every further line is one
// row as a JSON array, in file order, of canonical values:
//   null; true/false; integers, decimals, strings: the exact text DuckDB's CAST(x AS VARCHAR)
//   gives ("-12", "1.50", "0.9"); DATE: days since 1970-01-01 as text; TIMESTAMP (any unit, with or
//   without time zone): microseconds since the epoch as text (DuckDB reads NANOS at micros,
//   truncating toward zero);
//   BLOB: uppercase hex; FLOAT/DOUBLE: "nan", or the 16 hex digits of the IEEE binary64 bits of
//   the value (a FLOAT's exact widening), so -0.0 and every last bit count.
// sql: each line is {"sql": "...", "expect": "..."}; $FILE in the query is replaced by the file
// path, and the first column of the first row, as text, must equal `expect`.
//
// Prints "OK <n>" and exits 0 when everything matches; otherwise prints the first differences to
// stdout and exits 1 (2 on usage or DuckDB errors).
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';

function sqlString(s) {
  return "'" + s.replaceAll("'", "''") + "'";
}

function doubleBits(x) {
  if (Number.isNaN(x)) return 'nan';
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  return view.getBigUint64(0).toString(16).padStart(16, '0');
}

function canonicalExpression(name, type) {
  const c = '"' + name.replaceAll('"', '""') + '"';
  if (type === 'FLOAT' || type === 'DOUBLE' || type === 'BOOLEAN') return c;
  if (type === 'DATE') return `CAST(${c} - DATE '1970-01-01' AS VARCHAR)`;
  if (type.startsWith('TIMESTAMP')) return `CAST(epoch_us(${c}) AS VARCHAR)`;
  if (type === 'BLOB') return `hex(${c})`;
  return `CAST(${c} AS VARCHAR)`;
}

function canonicalValue(v, type) {
  if (v === null || v === undefined) return null;
  if (type === 'FLOAT' || type === 'DOUBLE') return doubleBits(Number(v));
  if (type === 'BOOLEAN') return v;
  // DuckDB prints DECIMAL(p,p) without the leading zero (".9", "-.9").
  if (type.startsWith('DECIMAL')) return String(v).replace(/^(-?)\./, (match, sign) => sign + '0.');
  return String(v);
}

async function main() {
  const [mode, file, expectedPath] = process.argv.slice(2);
  if (!mode || !file || !expectedPath) {
    console.log('usage: parquet_duckdb_check.mjs rows|sql FILE.parquet EXPECTED.jsonl');
    process.exit(2);
  }
  const lines = readFileSync(expectedPath, 'utf8').split('\n').filter((l) => l.length > 0);
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const conn = await instance.connect();
  await conn.run("SET TimeZone = 'UTC'");
  const source = `read_parquet(${sqlString(file)})`;
  const problems = [];

  if (mode === 'sql') {
    for (const line of lines) {
      const { sql, expect } = JSON.parse(line);
      const reader = await conn.runAndReadAll(sql.replaceAll('$FILE', sqlString(file)));
      const rows = reader.getRowsJS();
      const got = rows.length && rows[0].length ? String(rows[0][0]) : '<no rows>';
      if (got !== String(expect)) problems.push(`${sql}: got ${got}, expected ${expect}`);
    }
    finish(problems, lines.length);
    return;
  }

  const header = JSON.parse(lines[0]).columns;
  const described = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`)).getRowsJS();
  const columns = described.map((r) => [String(r[0]), String(r[1])]);
  if (JSON.stringify(columns) !== JSON.stringify(header)) {
    if (columns.length !== header.length) problems.push(`got ${columns.length} columns, expected ${header.length}`);
    for (let c = 0; c < Math.min(columns.length, header.length); ++c) {
      if (JSON.stringify(columns[c]) !== JSON.stringify(header[c])) {
        problems.push(`column ${c}: got ${JSON.stringify(columns[c])}, expected ${JSON.stringify(header[c])}`);
      }
    }
    finish(problems, 0);
    return;
  }
  const select = columns.map(([n, t]) => canonicalExpression(n, t)).join(', ');
  const rows = (await conn.runAndReadAll(`SELECT ${select} FROM ${source}`)).getRowsJS();
  const expected = lines.slice(1);
  if (rows.length !== expected.length) {
    problems.push(`row count: got ${rows.length}, expected ${expected.length}`);
  }
  const n = Math.min(rows.length, expected.length);
  for (let i = 0; i < n && problems.length < 20; ++i) {
    const want = JSON.parse(expected[i]);
    const got = rows[i].map((v, c) => canonicalValue(v, columns[c][1]));
    for (let c = 0; c < columns.length; ++c) {
      if (got[c] !== want[c]) {
        problems.push(`row ${i} column ${columns[c][0]}: got ${JSON.stringify(got[c])}, expected ${JSON.stringify(want[c])}`);
      }
    }
  }
  finish(problems, n);
}

function finish(problems, count) {
  if (problems.length === 0) {
    console.log(`OK ${count}`);
    process.exit(0);
  }
  for (const p of problems.slice(0, 20)) console.log(p);
  process.exit(1);
}

main().catch((e) => {
  console.log(`error: ${e.message}`);
  process.exit(2);
});
