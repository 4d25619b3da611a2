// Numbers on the command line and nesting limits (decisions 11). Every bad number is exit 2 with
// the flag and what was expected on stderr, before anything is read or written; `--where` and the
// spec refuse nesting deeper than 256 levels instead of overflowing the stack; a spec of 100,000
// columns is judged at once. The refusals need no server: the spec names an address where
// nothing listens, so a command that got past its checks would fail differently (exit 1, after
// its connection retries). The last test starts an emulator to show that the limits themselves
// (--parallel 64, 256 levels, ...) are accepted.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import {
  startEmulator, makeClient, createTable, runTsbridge, describeRun, tempDir, writeSpec, guideSpec,
  INSTANCE, ORDERS_TABLE, GUIDE_MAPPING,
} from './lib.mjs';

const tmp = tempDir('tsb-cli-numbers-');
const specs = tempDir('tsb-cli-numbers-specs-');  // specs written later, kept out of tmp's listing
after(() => { tmp.cleanup(); specs.cleanup(); });

const NOWHERE = 'http://127.0.0.1:9';
const spec = writeSpec(tmp.file('orders.json'), guideSpec(NOWHERE));
const input = tmp.file('orders.csv');
writeFileSync(input, 'odps_orderkey,odps_orderdate,odps_custkey,odps_orderstatus,odps_totalprice\n' +
  '1,1996-01-02,7,O,1.5\n');
const output = tmp.file('out.parquet');
const filesBefore = readdirSync(tmp.dir).sort();

// A command that gets past its checks spends its connection retries: 20 s is far beyond a
// refusal at parse time and well short of those retries.
const QUICK = { timeoutMs: 20000 };

function assertRefused(r, verb, flag, value, what) {
  const shown = `${verb} ${flag} ${value}`;
  assert.equal(r.signal, null, `${shown}: ${describeRun(r)}`);
  assert.equal(r.code, 2, `${shown}: ${describeRun(r)}`);
  assert.ok(r.stderr.startsWith(`tsbridge ${verb}: ${flag}: expected ${what}`),
    `${shown}: stderr names the flag and what was expected: ${r.stderr}`);
  assert.ok(r.stderr.includes(`got "${value}"`), `${shown}: ${r.stderr}`);
  assert.equal(r.stdout.length, 0, shown);
  assert.deepEqual(readdirSync(tmp.dir).sort(), filesBefore, `${shown}: nothing written`);
}

const SCANNERS = 'a number of scanners from 1 to 64';
const WRITERS = 'a number of writers from 1 to 64';
const ROWS_PER_SEC = 'a finite number of rows per second greater than 0';
const CU_PER_SEC = 'a finite number of CU per second greater than 0';
const MAX_ERRORS = 'a row count N >= 0 or a share P% with 0 <= P <= 100';
const LIMIT = 'a row count of 1 or more (leave --limit out for no limit)';

// Flags both import and export have: [flag, value, what import expects, what export expects].
const SHARED = [
  ['--parallel', '0', SCANNERS, WRITERS],
  ['--parallel', '65', SCANNERS, WRITERS],
  ['--parallel', '100000', SCANNERS, WRITERS],
  ['--parallel', '-1', SCANNERS, WRITERS],
  ['--parallel', '2.5', SCANNERS, WRITERS],
  ['--max-errors', '-5', MAX_ERRORS, MAX_ERRORS],
  ['--max-errors', '101%', MAX_ERRORS, MAX_ERRORS],
  ['--max-errors', 'nan%', MAX_ERRORS, MAX_ERRORS],
  ['--max-errors', '1.5', MAX_ERRORS, MAX_ERRORS],
  ['--max-rows-per-sec', 'nan', ROWS_PER_SEC, ROWS_PER_SEC],
  ['--max-rows-per-sec', 'inf', ROWS_PER_SEC, ROWS_PER_SEC],
  ['--max-rows-per-sec', '-3', ROWS_PER_SEC, ROWS_PER_SEC],
  ['--max-rows-per-sec', '0', ROWS_PER_SEC, ROWS_PER_SEC],
  ['--max-rows-per-sec', '1e999', ROWS_PER_SEC, ROWS_PER_SEC],
  ['--max-cu-per-sec', '0', CU_PER_SEC, CU_PER_SEC],
  ['--max-cu-per-sec', '-inf', CU_PER_SEC, CU_PER_SEC],
  ['--max-cu-per-sec', 'NaN', CU_PER_SEC, CU_PER_SEC],
];

test('import refuses every bad number with exit 2, naming the flag', async () => {
  const cases = [
    ...SHARED.map(([flag, value, what]) => [flag, value, what]),
    ['--limit', '-1', LIMIT], ['--limit', '0', LIMIT], ['--limit', '1.5', LIMIT], ['--limit', 'ten', LIMIT],
  ];
  for (const [flag, value, what] of cases) {
    const r = await runTsbridge(['import', '--spec', spec, '--output', output, flag, value], QUICK);
    assertRefused(r, 'import', flag, value, what);
  }
});

test('export refuses every bad number with exit 2, naming the flag', async () => {
  for (const [flag, value, , what] of SHARED) {
    const r = await runTsbridge(['export', '--spec', spec, '--input', input, flag, value], QUICK);
    assertRefused(r, 'export', flag, value, what);
  }
});

test('the emulator refuses a negative seed and a port out of range', async () => {
  const seed = await runTsbridge(['emulator', '--listen', '127.0.0.1:0', '--fault-seed', '-5'], QUICK);
  assertRefused(seed, 'emulator', '--fault-seed', '-5', 'a seed from 0 to 18446744073709551615');
  const port = await runTsbridge(['emulator', '--listen', '127.0.0.1:70000'], QUICK);
  assert.equal(port.code, 2, describeRun(port));
  assert.match(port.stderr, /^tsbridge emulator: --listen "127\.0\.0\.1:70000": expected HOST:PORT/);
});

test('--where nested 10,000 deep is exit 2, not a crash', async () => {
  for (const [where, position] of [
    ['('.repeat(10000) + 'odps_custkey = 1' + ')'.repeat(10000), 257],
    ['NOT '.repeat(10000) + 'odps_custkey = 1', 1025],
    ['('.repeat(100000), 257],
  ]) {
    const r = await runTsbridge(['import', '--spec', spec, '--where', where, '--explain'], QUICK);
    assert.equal(r.signal, null, describeRun(r));
    assert.equal(r.code, 2, describeRun(r));
    assert.ok(r.stderr.startsWith(`tsbridge import: InvalidArgument: --where: position ${position}: ` +
      'nested deeper than 256 levels'), r.stderr);
  }
});

// `n` bigint columns c0.. mapped to a0.. (a0 the key); `last` renames the last column.
function wideSpec(n, last) {
  const columns = [];
  const mapping = [];
  for (let k = 0; k < n; k++) {
    columns.push({ name: k === n - 1 && last ? last : `c${k}`, type: 'bigint' });
    mapping.push(`${k === 0 ? ':' : ''}a${k}`);
  }
  return { tablestore: { endpoint: NOWHERE, instance: INSTANCE, table: 'wide' }, columns, mapping: mapping.join(',') };
}

test('a spec nested 10,000 deep or with 100,000 columns is refused at once', async (t) => {
  const deep = guideSpec(NOWHERE);
  writeFileSync(specs.file('deep.json'), JSON.stringify(deep).replace(
    JSON.stringify(GUIDE_MAPPING), '['.repeat(10000) + ']'.repeat(10000)));
  const d = await runTsbridge(['import', '--spec', specs.file('deep.json'), '--output', output], QUICK);
  assert.equal(d.signal, null, describeRun(d));
  assert.equal(d.code, 2, describeRun(d));
  assert.ok(d.stderr.includes(': mapping[0][0][0][0][0][0][0] ... [0][0][0][0][0][0][0][0]: nested deeper than ' +
    '256 levels of arrays and objects'), d.stderr);

  // A duplicate name at the very end: before the fix every column was compared with every
  // earlier one, 149 s for this spec; 20 s is a generous bound for a linear check.
  writeSpec(specs.file('wide.json'), wideSpec(100000, 'C0'));
  const started = Date.now();
  const w = await runTsbridge(['import', '--spec', specs.file('wide.json'), '--output', output], QUICK);
  t.diagnostic(`100,000-column spec refused in ${Date.now() - started} ms`);
  assert.equal(w.code, 2, describeRun(w));
  assert.ok(w.stderr.includes('columns[99999].name: duplicate column name "C0" (also columns[0]; ' +
    'names are case-insensitive)'), w.stderr);
});

test('the limits themselves are accepted', { timeout: 120000 }, async () => {
  const emu = await startEmulator();
  try {
    const client = makeClient(emu.endpoint, { instance: INSTANCE });
    await createTable(client, ORDERS_TABLE, [{ name: 'o_orderkey', type: 'INTEGER' }, { name: 'o_orderdate', type: 'STRING' }]);
    const live = writeSpec(specs.file('live.json'), guideSpec(emu.endpoint));
    // 255 '(' and a NOT: 256 levels.
    const where = '('.repeat(255) + 'NOT odps_custkey = 1' + ')'.repeat(255);
    const r = await runTsbridge(['import', '--spec', live, '--explain', '--where', where, '--parallel', '64',
      '--limit', '1', '--max-errors', '0', '--max-rows-per-sec', '0.5', '--max-cu-per-sec', '1e3']);
    assert.equal(r.code, 0, describeRun(r));
    assert.match(r.stdout.toString(), /server filter: o_custkey != 1\n/);
    const e = await runTsbridge(['export', '--spec', live, '--input', input, '--dry-run', '--parallel', '64',
      '--max-errors', '100%', '--max-rows-per-sec', '1e6', '--max-cu-per-sec', '0.25']);
    assert.equal(e.code, 0, describeRun(e));
  } finally {
    await emu.stop();
  }
});
