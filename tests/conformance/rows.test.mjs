// Single-row operations through the official SDK: every value type, UpdateRow's cell operations,
// versions and time ranges, row-existence and column conditions, and the primary-key checks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  TableStore, Long, startEmulator, makeClient, call, expectError, createTable, IGNORE, attr, int64,
} from './lib.mjs';

let emu;
let client;
before(async () => {
  emu = await startEmulator();
  client = makeClient(emu.endpoint);
  await createTable(client, 't', [{ name: 'pk', type: 'STRING' }, { name: 'id', type: 'INTEGER' }, { name: 'bin', type: 'BINARY' }],
    { maxVersions: 5 });
});
after(async () => { await emu.stop(); });

const cond = (e) => new TableStore.Condition(e, null);
// Cell timestamps must lie within the table's allowed deviation from now (one day by default).
const T0 = Date.now() - 60 * 60 * 1000;
const ts = (n) => Long.fromNumber(T0 + n);
const pk = (s, i, b = Buffer.from([0x00, 0xff])) => [{ pk: s }, { id: Long.fromString(String(i)) }, { bin: b }];

test('put and get a row with every value type, exactly', async () => {
  const big = '9223372036854775807';
  const put = await call(client, 'putRow', {
    tableName: 't', condition: IGNORE(), primaryKey: pk('a', '-9223372036854775808'),
    attributeColumns: [
      { s: 'héllo "world"\n' }, { empty: '' }, { i: Long.fromString(big) }, { neg: Long.fromString('-1') },
      { d: 1.5 }, { negzero: -0 }, { tiny: 5e-324 }, { yes: true }, { no: false },
      { b: Buffer.from([0, 1, 2, 0xfe, 0xff]) }, { eb: Buffer.alloc(0) },
    ],
  });
  assert.ok(put.consumed.capacityUnit.write >= 1, 'PutRow reports write CU');

  const got = await call(client, 'getRow', { tableName: 't', primaryKey: pk('a', '-9223372036854775808'), maxVersions: 1 });
  assert.ok(got.consumed.capacityUnit.read >= 1, 'GetRow reports read CU');
  const row = got.row;
  assert.deepEqual(row.primaryKey.map((c) => c.name), ['pk', 'id', 'bin']);
  assert.equal(row.primaryKey[0].value, 'a');
  assert.equal(int64(row.primaryKey[1].value), '-9223372036854775808');
  assert.deepEqual([...row.primaryKey[2].value], [0x00, 0xff]);
  assert.equal(attr(row, 's'), 'héllo "world"\n');
  assert.equal(attr(row, 'empty'), '');
  assert.equal(int64(attr(row, 'i')), big);
  assert.equal(int64(attr(row, 'neg')), '-1');
  assert.equal(attr(row, 'd'), 1.5);
  assert.ok(Object.is(attr(row, 'negzero'), -0), '-0.0 keeps its sign');
  assert.equal(attr(row, 'tiny'), 5e-324);
  assert.equal(attr(row, 'yes'), true);
  assert.equal(attr(row, 'no'), false);
  assert.deepEqual([...attr(row, 'b')], [0, 1, 2, 0xfe, 0xff]);
  assert.equal(attr(row, 'eb').length, 0);
  // Attribute cells come back in name order, each with a timestamp.
  const names = row.attributes.map((a) => a.columnName);
  assert.deepEqual(names, [...names].sort());
  for (const a of row.attributes) assert.ok(a.timestamp !== null && a.timestamp !== undefined, `${a.columnName} has a timestamp`);
});

test('a missing row reads as an empty row, and columnsToGet selects columns', async () => {
  const got = await call(client, 'getRow', { tableName: 't', primaryKey: pk('missing', 1) });
  assert.ok(!got.row || !got.row.primaryKey, 'no row');
  await call(client, 'putRow', { tableName: 't', condition: IGNORE(), primaryKey: pk('sel', 1), attributeColumns: [{ a: 'x' }, { b: 'y' }, { c: 'z' }] });
  const sel = await call(client, 'getRow', { tableName: 't', primaryKey: pk('sel', 1), columnsToGet: ['a', 'c'] });
  assert.deepEqual(sel.row.attributes.map((x) => x.columnName), ['a', 'c']);
});

test('UpdateRow puts, deletes one version, deletes all versions and increments', async () => {
  const key = pk('u', 7);
  await call(client, 'putRow', {
    tableName: 't', condition: IGNORE(), primaryKey: key,
    attributeColumns: [{ keep: 'k' }, { v: 'one', timestamp: ts(1000) }, { gone: 'g' }, { n: Long.fromNumber(10) }],
  });
  await call(client, 'updateRow', {
    tableName: 't', condition: IGNORE(), primaryKey: key,
    updateOfAttributeColumns: [{ PUT: [{ v: 'two', timestamp: ts(2000) }, { added: Long.fromNumber(3) }] }],
  });
  let r = (await call(client, 'getRow', { tableName: 't', primaryKey: key, maxVersions: 5 })).row;
  const versions = r.attributes.filter((a) => a.columnName === 'v').map((a) => [a.columnValue, int64(a.timestamp)]);
  assert.deepEqual(versions, [['two', String(T0 + 2000)], ['one', String(T0 + 1000)]], 'versions newest first');
  assert.equal(int64(attr(r, 'added')), '3');

  await call(client, 'updateRow', {
    tableName: 't', condition: IGNORE(), primaryKey: key,
    updateOfAttributeColumns: [{ DELETE: [{ v: ts(2000) }] }, { DELETE_ALL: ['gone'] }],
  });
  r = (await call(client, 'getRow', { tableName: 't', primaryKey: key, maxVersions: 5 })).row;
  assert.deepEqual(r.attributes.filter((a) => a.columnName === 'v').map((a) => a.columnValue), ['one']);
  assert.equal(attr(r, 'gone'), undefined);
  assert.equal(attr(r, 'keep'), 'k', 'unnamed columns are untouched');

  await call(client, 'updateRow', {
    tableName: 't', condition: IGNORE(), primaryKey: key,
    updateOfAttributeColumns: [{ INCREMENT: [{ n: Long.fromNumber(5) }] }],
  });
  r = (await call(client, 'getRow', { tableName: 't', primaryKey: key })).row;
  assert.equal(int64(attr(r, 'n')), '15');
});

test('UpdateRow without a condition on a new row: maxVersions prunes, getRow and getRange agree', async () => {
  const key = pk('merge', 1);
  // Seven versions into a table that keeps five: the two oldest go.
  for (let n = 1; n <= 7; n++) {
    await call(client, 'updateRow', {
      tableName: 't', condition: IGNORE(), primaryKey: key,
      updateOfAttributeColumns: [{ PUT: [{ a: `a${n}`, timestamp: ts(n) }] }],
    });
  }
  // Deleting the newest does not bring a pruned one back.
  await call(client, 'updateRow', {
    tableName: 't', condition: IGNORE(), primaryKey: key,
    updateOfAttributeColumns: [{ DELETE: [{ a: ts(7) }] }, { PUT: [{ b: 'x', timestamp: ts(10) }] }, { DELETE_ALL: ['never'] }],
  });
  // A conditional update after the merged ones sees them.
  await call(client, 'updateRow', {
    tableName: 't', condition: cond(TableStore.RowExistenceExpectation.EXPECT_EXIST), primaryKey: key,
    updateOfAttributeColumns: [{ PUT: [{ c: Long.fromNumber(1), timestamp: ts(11) }] }],
  });
  const cells = (row) => row.attributes.map((x) => [x.columnName, typeof x.columnValue === 'string' ? x.columnValue : int64(x.columnValue), int64(x.timestamp)]);
  const got = (await call(client, 'getRow', { tableName: 't', primaryKey: key, maxVersions: 5 })).row;
  const expected = [
    ['a', 'a6', String(T0 + 6)], ['a', 'a5', String(T0 + 5)], ['a', 'a4', String(T0 + 4)], ['a', 'a3', String(T0 + 3)],
    ['b', 'x', String(T0 + 10)], ['c', '1', String(T0 + 11)],
  ];
  assert.deepEqual(cells(got), expected);
  const range = await call(client, 'getRange', {
    tableName: 't', direction: TableStore.Direction.FORWARD, maxVersions: 5,
    inclusiveStartPrimaryKey: [{ pk: 'merge' }, { id: TableStore.INF_MIN }, { bin: TableStore.INF_MIN }],
    exclusiveEndPrimaryKey: [{ pk: 'merge' }, { id: TableStore.INF_MAX }, { bin: TableStore.INF_MAX }],
  });
  assert.equal(range.rows.length, 1);
  assert.deepEqual(cells(range.rows[0]), expected);
});

test('maxVersions and timeRange select cell versions', async () => {
  const key = pk('ver', 1);
  for (const n of [100, 200, 300, 400]) {
    await call(client, 'updateRow', {
      tableName: 't', condition: IGNORE(), primaryKey: key,
      updateOfAttributeColumns: [{ PUT: [{ c: `v${n}`, timestamp: ts(n) }] }],
    });
  }
  const two = (await call(client, 'getRow', { tableName: 't', primaryKey: key, maxVersions: 2 })).row;
  assert.deepEqual(two.attributes.map((a) => a.columnValue), ['v400', 'v300']);
  const ranged = (await call(client, 'getRow', {
    tableName: 't', primaryKey: key, maxVersions: 5, timeRange: { startTime: String(T0 + 200), endTime: String(T0 + 400) },
  })).row;
  assert.deepEqual(ranged.attributes.map((a) => a.columnValue), ['v300', 'v200'], '[start, end)');
  // (A specific_time read is not tested here: the Node SDK always sends max_versions with it.)
});

test('row existence conditions answer OTSConditionCheckFail', async () => {
  const key = pk('cond', 1);
  let e = await expectError(call(client, 'putRow', {
    tableName: 't', condition: cond(TableStore.RowExistenceExpectation.EXPECT_EXIST), primaryKey: key, attributeColumns: [{ a: 'x' }],
  }));
  assert.equal(e.status, 403);
  assert.equal(e.code, 'OTSConditionCheckFail');
  assert.equal(e.message, 'Condition check failed.');

  await call(client, 'putRow', {
    tableName: 't', condition: cond(TableStore.RowExistenceExpectation.EXPECT_NOT_EXIST), primaryKey: key, attributeColumns: [{ a: 'x' }],
  });
  e = await expectError(call(client, 'putRow', {
    tableName: 't', condition: cond(TableStore.RowExistenceExpectation.EXPECT_NOT_EXIST), primaryKey: key, attributeColumns: [{ a: 'y' }],
  }));
  assert.equal(e.code, 'OTSConditionCheckFail');
  await call(client, 'updateRow', {
    tableName: 't', condition: cond(TableStore.RowExistenceExpectation.EXPECT_EXIST), primaryKey: key,
    updateOfAttributeColumns: [{ PUT: [{ a: 'z' }] }],
  });
  const r = (await call(client, 'getRow', { tableName: 't', primaryKey: key })).row;
  assert.equal(attr(r, 'a'), 'z');

  e = await expectError(call(client, 'deleteRow', {
    tableName: 't', condition: cond(TableStore.RowExistenceExpectation.EXPECT_EXIST), primaryKey: pk('cond', 2),
  }));
  assert.equal(e.code, 'OTSConditionCheckFail');
  await call(client, 'deleteRow', {
    tableName: 't', condition: cond(TableStore.RowExistenceExpectation.EXPECT_EXIST), primaryKey: key,
  });
  const gone = await call(client, 'getRow', { tableName: 't', primaryKey: key });
  assert.ok(!gone.row || !gone.row.primaryKey);
});

test('column conditions are checked against the stored row', async () => {
  const key = pk('colcond', 1);
  await call(client, 'putRow', { tableName: 't', condition: IGNORE(), primaryKey: key, attributeColumns: [{ n: Long.fromNumber(5) }, { s: 'abc' }] });
  const single = (name, value, cmp, passIfMissing = true) => new TableStore.SingleColumnCondition(name, value, cmp, passIfMissing);
  const withColumn = (c) => new TableStore.Condition(TableStore.RowExistenceExpectation.IGNORE, c);

  // n == 5 passes, n > 5 fails.
  await call(client, 'updateRow', {
    tableName: 't', condition: withColumn(single('n', Long.fromNumber(5), TableStore.ComparatorType.EQUAL)), primaryKey: key,
    updateOfAttributeColumns: [{ PUT: [{ hit: 'yes' }] }],
  });
  const e = await expectError(call(client, 'updateRow', {
    tableName: 't', condition: withColumn(single('n', Long.fromNumber(5), TableStore.ComparatorType.GREATER_THAN)), primaryKey: key,
    updateOfAttributeColumns: [{ PUT: [{ hit: 'no' }] }],
  }));
  assert.equal(e.code, 'OTSConditionCheckFail');

  // A missing column passes by default and fails with passIfMissing=false.
  await call(client, 'updateRow', {
    tableName: 't', condition: withColumn(single('absent', 'x', TableStore.ComparatorType.EQUAL)), primaryKey: key,
    updateOfAttributeColumns: [{ PUT: [{ m1: 'ok' }] }],
  });
  const e2 = await expectError(call(client, 'updateRow', {
    tableName: 't', condition: withColumn(single('absent', 'x', TableStore.ComparatorType.EQUAL, false)), primaryKey: key,
    updateOfAttributeColumns: [{ PUT: [{ m2: 'no' }] }],
  }));
  assert.equal(e2.code, 'OTSConditionCheckFail');

  // Composite: s == 'abc' AND NOT (n < 3).
  const and = new TableStore.CompositeCondition(TableStore.LogicalOperator.AND);
  and.addSubCondition(single('s', 'abc', TableStore.ComparatorType.EQUAL));
  const not = new TableStore.CompositeCondition(TableStore.LogicalOperator.NOT);
  not.addSubCondition(single('n', Long.fromNumber(3), TableStore.ComparatorType.LESS_THAN));
  and.addSubCondition(not);
  await call(client, 'updateRow', {
    tableName: 't', condition: withColumn(and), primaryKey: key, updateOfAttributeColumns: [{ PUT: [{ composite: 'ok' }] }],
  });
  const r = (await call(client, 'getRow', { tableName: 't', primaryKey: key })).row;
  assert.equal(attr(r, 'hit'), 'yes');
  assert.equal(attr(r, 'm1'), 'ok');
  assert.equal(attr(r, 'm2'), undefined);
  assert.equal(attr(r, 'composite'), 'ok');
});

// The service answers a key that does not match the schema with OTSParameterInvalid or
// OTSInvalidPK depending on the check (wire doc C.2, B.6); both are HTTP 400.
const badKey = (e) => {
  assert.equal(e.status, 400);
  assert.ok(['OTSParameterInvalid', 'OTSInvalidPK'].includes(e.code), e.code);
};

test('the primary key is checked against the schema on every write', async () => {
  // Wrong type for id.
  let e = await expectError(call(client, 'putRow', {
    tableName: 't', condition: IGNORE(), primaryKey: [{ pk: 'x' }, { id: 'not-an-int' }, { bin: Buffer.from('a') }], attributeColumns: [{ a: 1 }],
  }));
  badKey(e);
  // Missing column.
  e = await expectError(call(client, 'putRow', {
    tableName: 't', condition: IGNORE(), primaryKey: [{ pk: 'x' }, { id: Long.fromNumber(1) }], attributeColumns: [{ a: 1 }],
  }));
  badKey(e);
  // Out of order.
  e = await expectError(call(client, 'putRow', {
    tableName: 't', condition: IGNORE(), primaryKey: [{ id: Long.fromNumber(1) }, { pk: 'x' }, { bin: Buffer.from('a') }], attributeColumns: [{ a: 1 }],
  }));
  badKey(e);
  // A key string over 1 KB.
  e = await expectError(call(client, 'putRow', {
    tableName: 't', condition: IGNORE(), primaryKey: pk('k'.repeat(1025), 1), attributeColumns: [{ a: 1 }],
  }));
  assert.equal(e.code, 'OTSParameterInvalid');
  // An attribute value over 2 MB.
  e = await expectError(call(client, 'putRow', {
    tableName: 't', condition: IGNORE(), primaryKey: pk('big', 1), attributeColumns: [{ a: 'v'.repeat(2 * 1024 * 1024 + 1) }],
  }));
  assert.equal(e.code, 'OTSParameterInvalid');
});
