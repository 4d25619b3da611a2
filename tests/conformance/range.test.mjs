// GetRange through the official SDK over 20,000 rows: paging with next_start_primary_key in both
// directions, INF_MIN/INF_MAX bounds, limits, columns_to_get, cell versions and time ranges, each
// filter kind, the 4 MiB page cut, and the read capacity units the scan reports.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  TableStore, Long, startEmulator, makeClient, call, expectError, createTable, IGNORE, attr, int64, bulkPut,
} from './lib.mjs';

const N = 20000;
let emu;
let client;

const skey = (g) => `k${String(g).padStart(6, '0')}`;
const kind = (g) => (g % 3 === 0 ? 'fizz' : 'plain');

before(async () => {
  emu = await startEmulator();
  client = makeClient(emu.endpoint);
  await createTable(client, 'r', [{ name: 'g', type: 'INTEGER' }, { name: 's', type: 'STRING' }]);
  const rows = [];
  for (let g = 0; g < N; g++) {
    const cols = [{ n: Long.fromNumber(g) }, { f: g / 2 }, { t: kind(g) }];
    if (g % 2 === 0) cols.push({ opt: g % 4 === 0 });
    rows.push({ primaryKey: [{ g: Long.fromNumber(g) }, { s: skey(g) }], attributeColumns: cols });
  }
  await bulkPut(client, 'r', rows);
});
after(async () => { await emu.stop(); });

const INF_MIN = TableStore.INF_MIN;
const INF_MAX = TableStore.INF_MAX;

// Pages through a range, returning all rows and the page sizes.
async function scan(params) {
  const rows = [];
  const pages = [];
  let cu = 0;
  let start = params.inclusiveStartPrimaryKey;
  for (;;) {
    const res = await call(client, 'getRange', { ...params, inclusiveStartPrimaryKey: start });
    rows.push(...res.rows);
    pages.push(res.rows.length);
    cu += res.consumed.capacityUnit.read;
    if (!res.nextStartPrimaryKey) break;
    start = res.nextStartPrimaryKey.map((c) => ({ [c.name]: c.value }));
  }
  return { rows, pages, cu };
}

const gOf = (row) => Number(int64(row.primaryKey[0].value));

test('a forward scan pages through every row in key order, at most 5000 rows a page', async () => {
  const { rows, pages } = await scan({
    tableName: 'r', direction: TableStore.Direction.FORWARD, maxVersions: 1,
    inclusiveStartPrimaryKey: [{ g: INF_MIN }, { s: INF_MIN }], exclusiveEndPrimaryKey: [{ g: INF_MAX }, { s: INF_MAX }],
  });
  assert.equal(rows.length, N);
  assert.ok(pages.length >= 4 && pages.every((p) => p <= 5000), `pages: ${pages}`);
  rows.forEach((row, i) => {
    assert.equal(gOf(row), i);
    assert.equal(row.primaryKey[1].value, skey(i));
  });
  assert.equal(int64(attr(rows[12345], 'n')), '12345');
  assert.equal(attr(rows[12345], 'f'), 12345 / 2);
  assert.equal(attr(rows[12345], 't'), 'fizz');
  assert.equal(attr(rows[12344], 'opt'), true);
  assert.equal(attr(rows[12345], 'opt'), undefined);
});

test('a backward scan returns the rows in reverse order', async () => {
  const { rows } = await scan({
    tableName: 'r', direction: TableStore.Direction.BACKWARD, maxVersions: 1,
    inclusiveStartPrimaryKey: [{ g: INF_MAX }, { s: INF_MAX }], exclusiveEndPrimaryKey: [{ g: INF_MIN }, { s: INF_MIN }],
  });
  assert.equal(rows.length, N);
  rows.forEach((row, i) => assert.equal(gOf(row), N - 1 - i));
});

test('bounds: [ (100, INF_MIN), (200, INF_MIN) ) forward and ( (200, INF_MIN), (100, INF_MIN) ] backward', async () => {
  const fwd = await scan({
    tableName: 'r', direction: TableStore.Direction.FORWARD, maxVersions: 1,
    inclusiveStartPrimaryKey: [{ g: Long.fromNumber(100) }, { s: INF_MIN }], exclusiveEndPrimaryKey: [{ g: Long.fromNumber(200) }, { s: INF_MIN }],
  });
  assert.deepEqual(fwd.rows.map(gOf), Array.from({ length: 100 }, (_, i) => 100 + i));
  const bwd = await scan({
    tableName: 'r', direction: TableStore.Direction.BACKWARD, maxVersions: 1,
    inclusiveStartPrimaryKey: [{ g: Long.fromNumber(199) }, { s: INF_MAX }], exclusiveEndPrimaryKey: [{ g: Long.fromNumber(99) }, { s: INF_MAX }],
  });
  assert.deepEqual(bwd.rows.map(gOf), Array.from({ length: 100 }, (_, i) => 199 - i));
  // An exact start key is inclusive, an exact end key exclusive.
  const exact = await scan({
    tableName: 'r', direction: TableStore.Direction.FORWARD, maxVersions: 1,
    inclusiveStartPrimaryKey: [{ g: Long.fromNumber(5) }, { s: skey(5) }], exclusiveEndPrimaryKey: [{ g: Long.fromNumber(8) }, { s: skey(8) }],
  });
  assert.deepEqual(exact.rows.map(gOf), [5, 6, 7]);
});

test('a start after the end is refused', async () => {
  const e = await expectError(call(client, 'getRange', {
    tableName: 'r', direction: TableStore.Direction.FORWARD, maxVersions: 1,
    inclusiveStartPrimaryKey: [{ g: Long.fromNumber(200) }, { s: INF_MIN }], exclusiveEndPrimaryKey: [{ g: Long.fromNumber(100) }, { s: INF_MIN }],
  }));
  assert.equal(e.code, 'OTSParameterInvalid');
});

test('limit caps each page, and paging with a limit still visits every row once', async () => {
  const first = await call(client, 'getRange', {
    tableName: 'r', direction: TableStore.Direction.FORWARD, maxVersions: 1, limit: 123,
    inclusiveStartPrimaryKey: [{ g: INF_MIN }, { s: INF_MIN }], exclusiveEndPrimaryKey: [{ g: Long.fromNumber(1000) }, { s: INF_MIN }],
  });
  assert.equal(first.rows.length, 123);
  assert.equal(int64(first.nextStartPrimaryKey[0].value), '123');
  const all = await scan({
    tableName: 'r', direction: TableStore.Direction.FORWARD, maxVersions: 1, limit: 333,
    inclusiveStartPrimaryKey: [{ g: INF_MIN }, { s: INF_MIN }], exclusiveEndPrimaryKey: [{ g: Long.fromNumber(1000) }, { s: INF_MIN }],
  });
  assert.deepEqual(all.rows.map(gOf), Array.from({ length: 1000 }, (_, i) => i));
  assert.ok(all.pages.every((p) => p <= 333));
});

test('columnsToGet returns only the named attributes', async () => {
  const { rows } = await scan({
    tableName: 'r', direction: TableStore.Direction.FORWARD, maxVersions: 1, columnsToGet: ['t', 'n'],
    inclusiveStartPrimaryKey: [{ g: Long.fromNumber(10) }, { s: INF_MIN }], exclusiveEndPrimaryKey: [{ g: Long.fromNumber(12) }, { s: INF_MIN }],
  });
  assert.deepEqual(rows.map((r) => r.attributes.map((a) => a.columnName)), [['n', 't'], ['n', 't']]);
});

const single = (name, value, cmp, passIfMissing = true, latestVersionOnly = true) =>
  new TableStore.SingleColumnCondition(name, value, cmp, passIfMissing, latestVersionOnly);
const C = TableStore.ComparatorType;

async function filtered(columnFilter, end = 3000) {
  const { rows } = await scan({
    tableName: 'r', direction: TableStore.Direction.FORWARD, maxVersions: 1, columnFilter,
    inclusiveStartPrimaryKey: [{ g: INF_MIN }, { s: INF_MIN }], exclusiveEndPrimaryKey: [{ g: Long.fromNumber(end) }, { s: INF_MIN }],
  });
  return rows.map(gOf);
}
const upTo = (end, pred) => Array.from({ length: end }, (_, i) => i).filter(pred);

test('single-column filters: each comparator on integers, doubles and strings', async () => {
  assert.deepEqual(await filtered(single('t', 'fizz', C.EQUAL)), upTo(3000, (g) => kind(g) === 'fizz'));
  assert.deepEqual(await filtered(single('t', 'fizz', C.NOT_EQUAL)), upTo(3000, (g) => kind(g) !== 'fizz'));
  assert.deepEqual(await filtered(single('n', Long.fromNumber(2990), C.GREATER_THAN)), upTo(3000, (g) => g > 2990));
  assert.deepEqual(await filtered(single('n', Long.fromNumber(2990), C.GREATER_EQUAL)), upTo(3000, (g) => g >= 2990));
  assert.deepEqual(await filtered(single('f', 5.0, C.LESS_THAN)), upTo(3000, (g) => g / 2 < 5));
  assert.deepEqual(await filtered(single('f', 5.0, C.LESS_EQUAL)), upTo(3000, (g) => g / 2 <= 5));
  assert.deepEqual(await filtered(single('opt', true, C.EQUAL, false)), upTo(3000, (g) => g % 4 === 0));
});

test('filter_if_missing: rows lacking the column pass by default and are dropped on request', async () => {
  assert.deepEqual(await filtered(single('opt', false, C.EQUAL, true)), upTo(3000, (g) => g % 2 === 1 || g % 4 === 2));
  assert.deepEqual(await filtered(single('opt', false, C.EQUAL, false)), upTo(3000, (g) => g % 4 === 2));
});

test('composite filters: AND, OR, NOT', async () => {
  const and = new TableStore.CompositeCondition(TableStore.LogicalOperator.AND);
  and.addSubCondition(single('t', 'fizz', C.EQUAL));
  and.addSubCondition(single('n', Long.fromNumber(100), C.LESS_THAN));
  assert.deepEqual(await filtered(and), upTo(3000, (g) => kind(g) === 'fizz' && g < 100));

  const or = new TableStore.CompositeCondition(TableStore.LogicalOperator.OR);
  or.addSubCondition(single('n', Long.fromNumber(10), C.LESS_THAN));
  or.addSubCondition(single('n', Long.fromNumber(2995), C.GREATER_EQUAL));
  assert.deepEqual(await filtered(or), upTo(3000, (g) => g < 10 || g >= 2995));

  const not = new TableStore.CompositeCondition(TableStore.LogicalOperator.NOT);
  not.addSubCondition(single('t', 'plain', C.EQUAL));
  assert.deepEqual(await filtered(not), upTo(3000, (g) => kind(g) === 'fizz'));
});

test('read CU of a scan: ceil((every scanned key + the attributes read) / 4 KB)', async () => {
  // 1000 rows of key g (1 + 8 bytes) and s (1 + 7 bytes), reading only t (1 + 4 or 5 bytes).
  const res = await call(client, 'getRange', {
    tableName: 'r', direction: TableStore.Direction.FORWARD, maxVersions: 1, columnsToGet: ['t'],
    inclusiveStartPrimaryKey: [{ g: Long.fromNumber(0) }, { s: INF_MIN }], exclusiveEndPrimaryKey: [{ g: Long.fromNumber(1000) }, { s: INF_MIN }],
  });
  assert.equal(res.rows.length, 1000);
  let bytes = 0;
  for (let g = 0; g < 1000; g++) bytes += 9 + 1 + skey(g).length + 1 + kind(g).length;
  assert.equal(res.consumed.capacityUnit.read, Math.ceil(bytes / 4096));
});

test('versions and time ranges in a scan', async () => {
  await createTable(client, 'rv', [{ name: 'k', type: 'STRING' }], { maxVersions: 10 });
  const t0 = Date.now() - 60 * 60 * 1000;  // within the default one-day deviation from now
  for (const k of ['a', 'b']) {
    for (const n of [10, 20, 30]) {
      await call(client, 'updateRow', {
        tableName: 'rv', condition: IGNORE(), primaryKey: [{ k }],
        updateOfAttributeColumns: [{ PUT: [{ c: `${k}${n}`, timestamp: Long.fromNumber(t0 + n) }] }],
      });
    }
  }
  const all = await call(client, 'getRange', {
    tableName: 'rv', direction: TableStore.Direction.FORWARD, maxVersions: 10,
    inclusiveStartPrimaryKey: [{ k: INF_MIN }], exclusiveEndPrimaryKey: [{ k: INF_MAX }],
  });
  assert.deepEqual(all.rows.map((r) => r.attributes.map((a) => a.columnValue)), [['a30', 'a20', 'a10'], ['b30', 'b20', 'b10']]);
  const two = await call(client, 'getRange', {
    tableName: 'rv', direction: TableStore.Direction.FORWARD, maxVersions: 2,
    inclusiveStartPrimaryKey: [{ k: INF_MIN }], exclusiveEndPrimaryKey: [{ k: INF_MAX }],
  });
  assert.deepEqual(two.rows.map((r) => r.attributes.map((a) => a.columnValue)), [['a30', 'a20'], ['b30', 'b20']]);
  const ranged = await call(client, 'getRange', {
    tableName: 'rv', direction: TableStore.Direction.FORWARD, maxVersions: 10, timeRange: { startTime: String(t0 + 15), endTime: String(t0 + 30) },
    inclusiveStartPrimaryKey: [{ k: INF_MIN }], exclusiveEndPrimaryKey: [{ k: INF_MAX }],
  });
  assert.deepEqual(ranged.rows.map((r) => r.attributes.map((a) => a.columnValue)), [['a20'], ['b20']]);
});

test('a page stops at 4 MiB of rows and the next page goes on from the next key', async () => {
  await createTable(client, 'fat', [{ name: 'k', type: 'INTEGER' }]);
  const blob = 'y'.repeat(100 * 1024);
  const rows = Array.from({ length: 120 }, (_, i) => ({ primaryKey: [{ k: Long.fromNumber(i) }], attributeColumns: [{ v: blob }] }));
  await bulkPut(client, 'fat', rows, { per: 30, inFlight: 2 });
  const { rows: got, pages } = await scan({
    tableName: 'fat', direction: TableStore.Direction.FORWARD, maxVersions: 1,
    inclusiveStartPrimaryKey: [{ k: INF_MIN }], exclusiveEndPrimaryKey: [{ k: INF_MAX }],
  });
  assert.equal(got.length, 120);
  assert.ok(pages.length >= 3, `4 MiB pages of 100 KiB rows: ${pages}`);
  assert.ok(pages.every((p) => p * 100 * 1024 <= 4 * 1024 * 1024 + 100 * 1024), `pages: ${pages}`);
  assert.deepEqual(got.map((r) => Number(int64(r.primaryKey[0].value))), Array.from({ length: 120 }, (_, i) => i));
});
