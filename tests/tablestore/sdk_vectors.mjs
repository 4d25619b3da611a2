// Writes tests/tablestore/data/sdk_vectors.json: PlainBuffer bytes produced by the official
// Tablestore Node.js SDK's own builder (tablestore@5.6.5, lib/protocol/plian_buffer_builder.js),
// each next to a language-neutral description of the row, so that the C++ tests
// (sdk_vectors_test.cc) can check that our encoder writes the same bytes (up to the SDK's
// trailing zero padding, wire doc B.6) and that our decoder reads the SDK's bytes back.
//
// Every vector is also decoded by the SDK's own reader (readRow / readRows) before it is written,
// so a vector proves that the SDK accepts the bytes, too. The multi-row vectors (GetRange `rows`)
// are built from SDK rows, since the SDK has no multi-row writer, and checked with readRows.
//
// Regenerate (from the repository root, after `npm ci` in tests/):
//   node tests/tablestore/sdk_vectors.mjs            # rewrites the fixture
//   node tests/tablestore/sdk_vectors.mjs --check    # exits 1 if the committed fixture differs
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const TableStore = require('tablestore');
const Int64LE = require('int64-buffer').Int64LE;

const here = dirname(fileURLToPath(import.meta.url));
const fixturePath = join(here, 'data', 'sdk_vectors.json');

const Builder = TableStore.PlainBufferBuilder;
const Long = (s) => new Int64LE(String(s), 10);

// ---- Language-neutral descriptions ----
// value: {type: integer|double|boolean|string|binary|inf_min|inf_max|auto_increment, value}
//   integer: decimal string (exact int64); double: 16 hex digits of the IEEE-754 bits (big-endian
//   text); boolean: true/false; string: the text; binary: hex.
function describe(v) {
  if (v === TableStore.INF_MIN) return { type: 'inf_min' };
  if (v === TableStore.INF_MAX) return { type: 'inf_max' };
  if (v === TableStore.PK_AUTO_INCR) return { type: 'auto_increment' };
  if (v instanceof Int64LE) return { type: 'integer', value: v.toString(10) };
  if (Buffer.isBuffer(v)) return { type: 'binary', value: v.toString('hex') };
  if (typeof v === 'string') return { type: 'string', value: v };
  if (typeof v === 'boolean') return { type: 'boolean', value: v };
  if (typeof v === 'number') {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(v);
    return { type: 'double', value: b.toString('hex') };
  }
  throw new Error('cannot describe ' + v);
}

const pkCells = (pk) => pk.map((o) => {
  const [name] = Object.keys(o);
  return { name, ...describe(o[name]) };
});

// Put-row attribute columns: [{name: value, timestamp?: number}]
const putCells = (attrs) => attrs.map((o) => {
  const name = Object.keys(o).find((k) => k !== 'timestamp');
  const cell = { name, op: 'put', ...describe(o[name]) };
  if (o.timestamp !== undefined) cell.timestamp = String(o.timestamp);
  return cell;
});

// Update-row columns in the SDK's shape: [{PUT: [...]}, {DELETE: [{c: ts}]}, {DELETE_ALL: [c]},
// {INCREMENT: [...]}]
function updateCells(updates) {
  const out = [];
  for (const group of updates) {
    for (const [type, cols] of Object.entries(group)) {
      for (const col of cols) {
        if (type === 'DELETE_ALL') {
          out.push({ name: col, op: 'delete_all' });
        } else if (type === 'DELETE') {
          for (const [name, ts] of Object.entries(col)) {
            const cell = { name, op: 'delete_one' };
            if (ts !== null && ts !== undefined) cell.timestamp = String(ts);
            out.push(cell);
          }
        } else {
          const name = Object.keys(col).find((k) => k !== 'timestamp');
          const cell = { name, op: type === 'PUT' ? 'put' : 'increment', ...describe(col[name]) };
          if (col.timestamp !== undefined) cell.timestamp = String(col.timestamp);
          out.push(cell);
        }
      }
    }
  }
  return out;
}

// What the SDK's reader makes of a buffer, in the same neutral form (timestamps as strings).
function sdkRead(buf, multi) {
  // The SDK's input stream takes protobufjs's {buffer, offset, limit} view of a bytes field.
  const view = { buffer: Buffer.from(buf), offset: 0, limit: buf.length };
  const stream = new TableStore.PlainBufferCodedInputStream(new TableStore.PlainBufferInputStream(view));
  const rows = multi ? stream.readRows() : [stream.readRow()];
  return rows.map((r) => ({
    primary_key: r.primaryKey.map((c) => ({ name: c.name, ...describe(c.value) })),
    attributes: r.attributes.map((c) => {
      const cell = { name: c.columnName, ...describe(c.columnValue) };
      if (c.timestamp !== null && c.timestamp !== undefined) cell.timestamp = c.timestamp.toString(10);
      return cell;
    }),
  }));
}

// ---- The vectors ----
const TS = 1700000000000;
const basePk = [{ pk: 'a' }, { id: Long(1) }];
const vectors = [];

// Checks that the SDK's reader returns the described row (ops are not exposed by the reader).
function checkRead(name, buf, rows, multi) {
  const strip = (r) => ({
    primary_key: r.primary_key,
    attributes: r.attributes.map(({ op, ...rest }) => rest),
  });
  const got = JSON.stringify(sdkRead(buf, multi));
  const want = JSON.stringify(rows.map(strip));
  if (got !== want) throw new Error(`${name}: the SDK reads ${got}, expected ${want}`);
}

function add(name, shape, row, bytes, note) {
  const v = { name, shape, row, hex: Buffer.from(bytes).toString('hex') };
  if (note) v.note = note;
  vectors.push(v);
}

// Primary-key-only shape (GetRow keys, GetRange bounds).
for (const [name, pk] of [
  ['pk_string_integer', basePk],
  ['pk_binary_and_extremes', [{ b: Buffer.from([0xde, 0xad, 0x00]) }, { lo: Long('-9223372036854775808') },
    { hi: Long('9223372036854775807') }, { e: '' }]],
  ['pk_non_ascii_value', [{ k: '中文 😀' }, { z: Long(0) }]],
  ['pk_inf_min_max', [{ pk: TableStore.INF_MIN }, { id: TableStore.INF_MAX }]],
  ['pk_inf_max_min', [{ pk: TableStore.INF_MAX }, { id: TableStore.INF_MIN }]],
  ['pk_empty_binary', [{ b: Buffer.alloc(0) }]],
]) {
  const bytes = Builder.serializePrimaryKey(pk);
  // INF cells cannot be read by the SDK's decoder (it rejects them in returned keys), so only
  // real keys are read back.
  const readable = !pk.some((o) => Object.values(o).some((v) => v === TableStore.INF_MIN || v === TableStore.INF_MAX));
  const row = { primary_key: pkCells(pk), attributes: [], delete_marker: false };
  if (readable) checkRead(name, bytes, [row], false);
  add(name, 'primary_key', row, bytes,
    readable ? undefined : 'INF cells: the SDK pads 1 zero byte per INF column and cannot decode them');
}

// PutRow shape.
const putCases = [
  ['put_all_types', basePk, [
    { s: 'hi' }, { i: Long(42) }, { d: 1.5 }, { b: true }, { x: Buffer.from([0xde, 0xad]) },
    { t: 'v', timestamp: TS }]],
  ['put_edge_values', basePk, [
    { zero: Long(0) }, { neg: Long(-1) }, { min: Long('-9223372036854775808') },
    { max: Long('9223372036854775807') }, { nz: -0.0 }, { nan: NaN }, { inf: Infinity },
    { tiny: 5e-324 }, { f: false }, { es: '' }, { eb: Buffer.alloc(0) }, { nul: 'a\u0000b' },
    { utf8: 'héllo 中文 😀' }, { bin: Buffer.from([0x00, 0xff, 0x80, 0x7f]) }]],
  ['put_timestamps', basePk, [
    { a: 'x', timestamp: 0 }, { b: Long(7), timestamp: 1 }, { c: 2.25, timestamp: TS },
    { d: true, timestamp: 4102444800000 }]],
  ['put_auto_increment', [{ pk: 'a' }, { id: TableStore.PK_AUTO_INCR }], [{ v: Long(1) }]],
  ['put_no_attributes', basePk, []],
];
for (const [name, pk, attrs] of putCases) {
  const bytes = Builder.serializeForPutRow(pk, attrs);
  const auto = pk.some((o) => Object.values(o).some((v) => v === TableStore.PK_AUTO_INCR));
  const row = { primary_key: pkCells(pk), attributes: putCells(attrs), delete_marker: false };
  if (!auto) checkRead(name, bytes, [row], false);
  add(name, 'put', row, bytes,
    auto ? 'AUTO_INCREMENT: the SDK pads 1 zero byte' : undefined);
}

// UpdateRow shape.
const updateCases = [
  ['update_fixture_c', [{ PUT: [{ p: 'v' }] }, { DELETE: [{ d1: TS }] }, { DELETE_ALL: ['d2'] },
    { INCREMENT: [{ n: Long(5) }] }]],
  ['update_put_with_timestamp', [{ PUT: [{ p: 'v', timestamp: TS }, { q: Long(3) }] }]],
  ['update_increment_with_timestamp', [{ INCREMENT: [{ n: Long(-2), timestamp: TS }] }]],
  ['update_delete_without_timestamp', [{ DELETE: [{ d: null }] }]],
  ['update_mixed', [{ DELETE_ALL: ['a', 'b'] }, { PUT: [{ c: 1.5 }, { d: Buffer.from('ff00', 'hex') }] },
    { DELETE: [{ e: 1 }] }]],
];
for (const [name, updates] of updateCases) {
  const bytes = Builder.serializeForUpdateRow(basePk, updates);
  add(name, 'update', { primary_key: pkCells(basePk), attributes: updateCells(updates), delete_marker: false },
    bytes, 'UpdateRow: the SDK over-sizes some cells and pads with zeros (wire doc B.6)');
}

// DeleteRow shape.
{
  const bytes = Builder.serializeForDeleteRow(basePk);
  const row = { primary_key: pkCells(basePk), attributes: [], delete_marker: true };
  checkRead('delete_row', bytes, [row], false);
  add('delete_row', 'delete', row, bytes);
  const bytes2 = Builder.serializeForDeleteRow([{ k: Buffer.from('00', 'hex') }]);
  add('delete_row_binary', 'delete',
    { primary_key: pkCells([{ k: Buffer.from('00', 'hex') }]), attributes: [], delete_marker: true }, bytes2);
}

// Filter column values (SingleColumnValueFilter.column_value).
const columnValues = [];
for (const v of [Long(1), Long(-1), 'a', '', '中', 1.5, -0.0, true, false, Buffer.from([0xde, 0xad]), Buffer.alloc(0)]) {
  columnValues.push({ ...describe(v), hex: Builder.serializeColumnValue(v).toString('hex') });
}

// Multi-row buffers (GetRange `rows`): one header, then rows, each built by the SDK's PutRow
// builder (exactly sized) without its header, and read back with the SDK's readRows.
const multiRows = [];
{
  const rowsIn = [
    [basePk, [{ v: Long(7) }]],
    [[{ pk: 'b' }, { id: Long(2) }], []],
    [[{ pk: 'c' }, { id: Long(3) }], [{ s: 'x', timestamp: TS }, { d: 0.5, timestamp: TS }]],
  ];
  const parts = [Buffer.from('75000000', 'hex')];
  const described = [];
  for (const [pk, attrs] of rowsIn) {
    parts.push(Builder.serializeForPutRow(pk, attrs).subarray(4));
    described.push({ primary_key: pkCells(pk), attributes: putCells(attrs), delete_marker: false });
  }
  const buf = Buffer.concat(parts);
  checkRead('get_range_rows', buf, described, true);
  multiRows.push({ name: 'get_range_rows', rows: described, hex: buf.toString('hex') });
}

const fixture = {
  generator: 'tests/tablestore/sdk_vectors.mjs',
  sdk: 'tablestore@' + require('tablestore/package.json').version,
  rows: vectors,
  column_values: columnValues,
  multi_rows: multiRows,
};
const text = JSON.stringify(fixture, null, 1) + '\n';

if (process.argv.includes('--check')) {
  let committed = '';
  try { committed = readFileSync(fixturePath, 'utf8'); } catch (e) { /* missing = differs */ }
  if (committed !== text) {
    console.error(`${fixturePath} differs from what ${fixture.sdk} produces now; ` +
      'regenerate with: node tests/tablestore/sdk_vectors.mjs');
    process.exit(1);
  }
  console.log(`${fixturePath}: up to date (${vectors.length} rows, ${columnValues.length} values)`);
} else {
  writeFileSync(fixturePath, text);
  console.log(`wrote ${fixturePath}: ${vectors.length} rows, ${columnValues.length} values, ${multiRows.length} multi-row buffers`);
}
