// CSV dialects on the emulator: a ';'-separated file with a header, a header-less TSV and a CSV
// with \N as NULL each export (checked through the official SDK) and import back byte for byte
// (and as DuckDB's read_csv reads them); a ';' file given without --delimiter is refused with the
// hint; a reject file is written in the input's dialect; a non-UTF-8 encoding is refused.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';

import {
  client, describeRun, duck, readTable, runTsbridge, sqlString, startEmulator, tempDir, writeJobSpec,
} from './lib.mjs';

const COLUMNS = [['id', 'bigint'], ['name', 'string'], ['price', 'double']];

// Rows [id, name or null, price or null], in key order.
const ROWS = [];
for (let i = 1; i <= 40; ++i) {
  ROWS.push([i, i % 7 === 0 ? null : i % 11 === 0 ? '' : `item ${i}; "q"\t${i}`, i % 5 === 0 ? null : i + 0.25]);
}

// The text of a field as tsbridge's writer forms it in a dialect.
function field(v, { delim, nullText }) {
  if (v === null) return nullText;
  const s = String(v);
  const quote = s === '' || s === nullText || /[\r\n"]/.test(s) || s.includes(delim);
  return quote ? `"${s.replaceAll('"', '""')}"` : s;
}

function fileText(d, rows = ROWS) {
  const lines = d.header ? [COLUMNS.map(([n]) => n).join(d.delim)] : [];
  for (const row of rows) lines.push(row.map((v) => field(v, d)).join(d.delim));
  return lines.join('\n') + '\n';
}

// The table as the SDK reads it equals ROWS: NULL is an absent attribute (--nulls skip).
async function checkTable(endpoint, table) {
  const rows = await readTable(client(endpoint), table, ['id']);
  assert.equal(rows.size, ROWS.length);
  for (const [id, name, price] of ROWS) {
    const got = rows.get(JSON.stringify([String(id)]));
    assert.ok(got, `row ${id}`);
    const want = {};
    if (name !== null) want.name = name;
    if (price !== null) want.price = price;
    assert.deepEqual(got.attrs, want, `row ${id}`);
  }
}

// DuckDB reads the file as ROWS.
async function checkWithDuckdb(file, options) {
  const got = await duck(`SELECT id, name, price FROM read_csv(${sqlString(file)}, ${options},
      columns={'id': 'BIGINT', 'name': 'VARCHAR', 'price': 'DOUBLE'}) ORDER BY id`);
  assert.deepEqual(got.map((r) => [Number(r.id), r.name, r.price]), ROWS);
}

const CASES = [
  {
    name: "a ';'-separated file with a header",
    file: 'semi.csv', table: 'semi', d: { delim: ';', nullText: '', header: true },
    flags: ['--delimiter', ';'], duck: "delim=';', header=true, quote='\"', escape='\"', allow_quoted_nulls=false",
  },
  {
    name: 'a header-less TSV (the tab from the name)',
    file: 'plain.tsv', table: 'tsv', d: { delim: '\t', nullText: '', header: false },
    flags: ['--header', 'false'], duck: "delim='\t', header=false, quote='\"', escape='\"', allow_quoted_nulls=false",
  },
  {
    name: 'a CSV with \\N as NULL',
    file: 'nulls.csv', table: 'nulls', d: { delim: ',', nullText: '\\N', header: true },
    flags: ['--null', '\\N'], duck: "delim=',', header=true, nullstr='\\N', allow_quoted_nulls=false",
  },
];

for (const c of CASES) {
  test(`${c.name} exports and imports back exactly`, { timeout: 120000 }, async () => {
    const emu = await startEmulator();
    const tmp = tempDir('tsb-dialect-');
    try {
      const input = tmp.file(c.file);
      const text = fileText(c.d);
      fs.writeFileSync(input, text);
      await checkWithDuckdb(input, c.duck);
      const spec = writeJobSpec(tmp.dir, c.table, {
        endpoint: emu.endpoint, table: c.table, columns: COLUMNS, mapping: ':id,name,price',
      });
      // --scatter reads the key-ordered file at two places: each range gets the header (or none).
      let r = await runTsbridge(['export', '--spec', spec, '--input', input, '--create-table',
        '--scatter', '--parallel', '2', ...c.flags]);
      assert.equal(r.code, 0, describeRun(r));
      await checkTable(emu.endpoint, c.table);

      const output = tmp.file(`back_${c.file}`);
      r = await runTsbridge(['import', '--spec', spec, '--output', output, ...c.flags]);
      assert.equal(r.code, 0, describeRun(r));
      assert.equal(fs.readFileSync(output, 'utf8'), text);
    } finally {
      await emu.stop();
      tmp.cleanup();
    }
  });
}

test("the spec's file object carries the dialect; a directory of TSV parts", { timeout: 120000 }, async () => {
  const emu = await startEmulator();
  const tmp = tempDir('tsb-dialect-');
  try {
    const d = { delim: '|', nullText: 'NULL', header: false };
    const input = tmp.file('pipes.txt');
    fs.writeFileSync(input, fileText(d));
    const spec = tmp.file('spec.json');
    fs.writeFileSync(spec, JSON.stringify({
      tablestore: { endpoint: emu.endpoint, instance: 'e2e', table: 'pipes' },
      columns: COLUMNS.map(([name, type]) => ({ name, type })),
      mapping: ':id,name,price',
      file: { path: input, format: 'csv', delimiter: '|', null: 'NULL', header: false, encoding: 'utf-8' },
    }));
    let r = await runTsbridge(['export', '--spec', spec, '--create-table']);
    assert.equal(r.code, 0, describeRun(r));
    await checkTable(emu.endpoint, 'pipes');
    r = await runTsbridge(['import', '--spec', spec, '--output', input + '.back', '--format', 'csv']);
    assert.equal(r.code, 0, describeRun(r));
    assert.equal(fs.readFileSync(input + '.back', 'utf8'), fileText(d));
    // An output directory with a tab delimiter holds .tsv parts, in the spec's other settings.
    r = await runTsbridge(['import', '--spec', spec, '--output', tmp.file('parts') + '/', '--format', 'csv',
      '--delimiter', 'tab']);
    assert.equal(r.code, 0, describeRun(r));
    const parts = fs.readdirSync(tmp.file('parts')).filter((n) => n.startsWith('part-')).sort();
    assert.ok(parts.length >= 1 && parts.every((n) => n.endsWith('.tsv')), parts.join(' '));
    const all = parts.map((n) => fs.readFileSync(tmp.file(`parts/${n}`), 'utf8')).join('');
    assert.equal(all, fileText({ ...d, delim: '\t' }));
  } finally {
    await emu.stop();
    tmp.cleanup();
  }
});

test("a ';' file without --delimiter: the hint; a reject file in the input's dialect", { timeout: 120000 }, async () => {
  const emu = await startEmulator();
  const tmp = tempDir('tsb-dialect-');
  try {
    const spec = writeJobSpec(tmp.dir, 'hint', {
      endpoint: emu.endpoint, table: 'hint', columns: COLUMNS, mapping: ':id,name,price',
    });
    const input = tmp.file('in.csv');
    fs.writeFileSync(input, 'id;name;price\n1;a,b;1.5\n2;x;notanumber\n3;"c;d";\n');
    let r = await runTsbridge(['export', '--spec', spec, '--input', input, '--create-table']);
    assert.equal(r.code, 2, describeRun(r));
    assert.match(r.stderr, /column "id" is not in the CSV header \(id;name;price\); the header looks `;`-separated: give --delimiter ';' or file\.delimiter/);

    r = await runTsbridge(['export', '--spec', spec, '--input', input, '--create-table', '--delimiter', ';']);
    assert.equal(r.code, 3, describeRun(r));
    const rejects = tmp.file('in.rejects.csv');
    const lines = fs.readFileSync(rejects, 'utf8').split('\n');
    assert.equal(lines[0], 'id;name;price;_source_position;_raw_record;_error_code;_error_message');
    assert.match(lines[1], /^2;x;notanumber;3;;TSB_BAD_VALUE;"column ""price"": expected double, got ""notanumber"""$/);
    // Fixed, it exports again with the same flags (its extra columns are ignored).
    fs.writeFileSync(rejects, fs.readFileSync(rejects, 'utf8').replace('notanumber;3', '2.75;3'));
    r = await runTsbridge(['export', '--spec', spec, '--input', rejects, '--delimiter', ';']);
    assert.equal(r.code, 0, describeRun(r));
    const rows = await readTable(client(emu.endpoint), 'hint', ['id']);
    assert.deepEqual([...rows.values()].map((x) => [x.pk[0], x.attrs]), [
      ['1', { name: 'a,b', price: 1.5 }], ['2', { name: 'x', price: 2.75 }], ['3', { name: 'c;d' }],
    ]);
  } finally {
    await emu.stop();
    tmp.cleanup();
  }
});

test('an encoding other than UTF-8 is refused, naming the flag or the JSON path', { timeout: 60000 }, async () => {
  const tmp = tempDir('tsb-dialect-');
  try {
    const input = tmp.file('in.csv');
    fs.writeFileSync(input, 'id,name,price\n1,a,1\n');
    const spec = writeJobSpec(tmp.dir, 'enc', {
      endpoint: 'http://127.0.0.1:9', table: 'enc', columns: COLUMNS, mapping: ':id,name,price',
    });
    let r = await runTsbridge(['export', '--spec', spec, '--input', input, '--encoding', 'latin1']);
    assert.equal(r.code, 2, describeRun(r));
    assert.match(r.stderr, /--encoding: only UTF-8 is read and written, got "latin1"/);
    const withEncoding = tmp.file('gbk.json');
    const parsed = JSON.parse(fs.readFileSync(spec, 'utf8'));
    parsed.file = { path: input, encoding: 'GBK' };
    fs.writeFileSync(withEncoding, JSON.stringify(parsed));
    r = await runTsbridge(['import', '--spec', withEncoding]);
    assert.equal(r.code, 2, describeRun(r));
    assert.match(r.stderr, /file\.encoding: only UTF-8 is read and written, got "GBK"/);
  } finally {
    tmp.cleanup();
  }
});
