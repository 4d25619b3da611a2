// DuckDB's TIMESTAMP Parquet files of the corpus into timestamp columns (decisions 8 and 11):
// with the `ticks_unit` that holds their precision (micros, nanos) every row loads with its exact
// ticks (the corpus's expected files are the oracle, read back through the official SDK); under a
// coarser unit the rows with finer values are rejected, never truncated, and the reason names the
// `"ticks_unit"` that would keep them.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

import { TESTDATA, client, readTable, startEmulator, tempDir, runTsbridge } from './lib.mjs';

const PARQUET = path.join(TESTDATA, 'parquet');
const TYPES_COLUMNS = { c_ts_ms: 'millis', c_ts_us: 'micros', c_ts_ns: 'nanos', c_tsz_us: 'micros' };
const FILES = {
  duckdb_types_v1_uncompressed: TYPES_COLUMNS,
  duckdb_types_v1_snappy: TYPES_COLUMNS,
  duckdb_types_v1_gzip: TYPES_COLUMNS,
  duckdb_types_v1_zstd: TYPES_COLUMNS,
  duckdb_types_v1_lz4raw: TYPES_COLUMNS,
  duckdb_types_v1_brotli: TYPES_COLUMNS,
  duckdb_types_v2_zstd: TYPES_COLUMNS,
  duckdb_many_rowgroups_v2: { ts: 'micros' },
};
const DIGITS = { seconds: 0, millis: 3, micros: 6, nanos: 9 };

function expectedRows(name) {
  const gz = path.join(PARQUET, `${name}.expected.jsonl.gz`);
  const text = fs.existsSync(gz) ? zlib.gunzipSync(fs.readFileSync(gz)).toString('utf8')
    : fs.readFileSync(path.join(PARQUET, `${name}.expected.jsonl`), 'utf8');
  return text.trimEnd().split('\n').map((l) => JSON.parse(l));
}

// The corpus's timestamp text ("YYYY-MM-DDTHH:MM:SS.fff..."[Z]) as ticks of `unit` (a BigInt).
function ticks(text, unit) {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?Z?$/.exec(text);
  assert.ok(m, `not a corpus timestamp: ${text}`);
  const d = new Date(0);
  d.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  d.setUTCHours(Number(m[4]), Number(m[5]), Number(m[6]), 0);
  const frac = m[7] || '';
  const digits = DIGITS[unit];
  assert.ok(/^0*$/.test(frac.slice(digits)), `${text} is finer than ${unit}`);
  return BigInt(d.getTime() / 1000) * 10n ** BigInt(digits) + BigInt(frac.slice(0, digits).padEnd(digits, '0') || '0');
}

// Whether `text` has non-zero digits past `unit`'s.
const finerThan = (text, unit) => /\.(\d+)/.test(text) && /[1-9]/.test(/\.(\d+)/.exec(text)[1].slice(DIGITS[unit]));

function writeJobSpec(dir, name, endpoint, columns) {
  const spec = {
    tablestore: { endpoint, instance: 'e2e', table: name },
    columns: [{ name: 'id', type: 'bigint' },
      ...Object.entries(columns).map(([c, unit]) => ({ name: c, type: 'timestamp', ...(unit ? { ticks_unit: unit } : {}) }))],
    mapping: [':id', ...Object.keys(columns)].join(','),
  };
  const p = path.join(dir, `${name}.json`);
  fs.writeFileSync(p, JSON.stringify(spec));
  return p;
}

test('DuckDB TIMESTAMP Parquet files load every row with micros / nanos', { timeout: 300000 }, async () => {
  const emu = await startEmulator();
  const dir = tempDir('tsb-timestamps-').dir;
  try {
    for (const [name, columns] of Object.entries(FILES)) {
      const expected = expectedRows(name);
      const spec = writeJobSpec(dir, name, emu.endpoint, columns);
      const summary = path.join(dir, `${name}.summary.json`);
      const r = await runTsbridge(['export', '--spec', spec, '--input', path.join(PARQUET, `${name}.parquet`),
        '--create-table', '--rejects', path.join(dir, `${name}.rejects.jsonl`), '--summary', summary]);
      assert.equal(r.code, 0, `${name}: ${r.stderr}`);
      const s = JSON.parse(fs.readFileSync(summary, 'utf8'));
      assert.equal(s.rows_written, expected.length, name);
      const rows = await readTable(client(emu.endpoint), name, ['id']);
      assert.equal(rows.size, expected.length, name);
      for (const e of expected) {
        const row = rows.get(JSON.stringify([String(e.id)]));
        const want = {};
        for (const [c, unit] of Object.entries(columns)) if (e[c] !== null) want[c] = String(ticks(e[c], unit));
        assert.deepEqual(row.attrs, want, `${name}: id ${e.id}`);
      }
    }
  } finally {
    await emu.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('finer timestamps are rejected, naming the "ticks_unit" that keeps them', { timeout: 300000 }, async () => {
  const emu = await startEmulator();
  const dir = tempDir('tsb-timestamps-finer-').dir;
  try {
    const cases = [
      // file, column, the column's unit (undefined: the default millis)
      ['duckdb_types_v1_snappy', 'c_ts_us', undefined],
      ['duckdb_types_v1_snappy', 'c_tsz_us', 'seconds'],
      ['duckdb_types_v1_snappy', 'c_ts_ns', 'micros'],
      ['duckdb_many_rowgroups_v2', 'ts', undefined],
    ];
    for (const [name, column, unit] of cases) {
      const what = `${name} ${column} at ${unit ?? 'the default'}`;
      const expected = expectedRows(name);
      const table = `${name}_${column}_${unit ?? 'default'}`;
      const spec = writeJobSpec(dir, table, emu.endpoint, { [column]: unit });
      const rejects = path.join(dir, `${table}.rejects.jsonl`);
      const r = await runTsbridge(['export', '--spec', spec, '--input', path.join(PARQUET, `${name}.parquet`),
        '--create-table', '--rejects', rejects]);
      const finer = expected.filter((e) => e[column] !== null && finerThan(e[column], unit ?? 'millis'));
      assert.ok(finer.length > 0, what);
      assert.equal(r.code, 3, `${what}: ${r.stderr}`);
      const records = fs.readFileSync(rejects, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
      assert.deepEqual(records.map((rec) => rec.id), finer.map((e) => e.id), what);
      const byId = new Map(finer.map((e) => [e.id, e[column]]));
      for (const rec of records) {
        // The coarsest unit that holds the value.
        const keeps = Object.keys(DIGITS).find((u) => !finerThan(byId.get(rec.id), u));
        assert.match(rec._error_message,
          new RegExp(`column "${column}": value \\S+ is finer than the column's "ticks_unit": "${unit ?? 'millis'}"; "ticks_unit": "${keeps}" would keep it`),
          `${what}: id ${rec.id}`);
      }
      const rows = await readTable(client(emu.endpoint), table, ['id']);
      assert.equal(rows.size, expected.length - finer.length, what);
    }
  } finally {
    await emu.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
