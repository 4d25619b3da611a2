// BatchWriteRow and BatchGetRow through the official SDK: the service's request limits (200 rows,
// 4 MiB of encoded rows, no duplicate rows), per-row results, and several tables in one request.
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
  await createTable(client, 'b', [{ name: 'k', type: 'INTEGER' }]);
  await createTable(client, 'b2', [{ name: 's', type: 'STRING' }]);
});
after(async () => { await emu.stop(); });

const putRow = (k, cols) => ({ type: 'PUT', condition: IGNORE(), primaryKey: [{ k: Long.fromNumber(k) }], attributeColumns: cols });

test('200 rows in one BatchWriteRow are written, with a result per row in request order', async () => {
  const rows = Array.from({ length: 200 }, (_, i) => putRow(i, [{ v: `r${i}` }]));
  const res = await call(client, 'batchWriteRow', { tables: [{ tableName: 'b', rows }] });
  assert.equal(res.tables.length, 200);
  assert.ok(res.tables.every((r) => r.isOk && r.tableName === 'b'));
  const got = await call(client, 'getRow', { tableName: 'b', primaryKey: [{ k: Long.fromNumber(199) }] });
  assert.equal(attr(got.row, 'v'), 'r199');
});

test('201 rows are refused as a whole', async () => {
  const rows = Array.from({ length: 201 }, (_, i) => putRow(1000 + i, [{ v: 'x' }]));
  const e = await expectError(call(client, 'batchWriteRow', { tables: [{ tableName: 'b', rows }] }));
  assert.equal(e.status, 400);
  assert.equal(e.code, 'OTSParameterInvalid');
  assert.equal(e.message, 'Rows count exceeds the upper limit: 200.');
  const got = await call(client, 'getRow', { tableName: 'b', primaryKey: [{ k: Long.fromNumber(1000) }] });
  assert.ok(!got.row || !got.row.primaryKey, 'nothing of a refused request is written');
});

test('more than 4 MiB of rows is refused with the service message', async () => {
  const big = 'x'.repeat(1024 * 1024);
  const rows = Array.from({ length: 5 }, (_, i) => putRow(2000 + i, [{ v: big }]));
  const e = await expectError(call(client, 'batchWriteRow', { tables: [{ tableName: 'b', rows }] }));
  assert.equal(e.code, 'OTSParameterInvalid');
  assert.match(e.message, /^The total data size of BatchWriteRow request exceeds the limit, limit size: 4194304, data size:\d+\.$/);
  // Three 1 MiB rows fit.
  const ok = await call(client, 'batchWriteRow', { tables: [{ tableName: 'b', rows: rows.slice(0, 3) }] });
  assert.ok(ok.tables.every((r) => r.isOk));
});

test('duplicate rows in one request are refused', async () => {
  const rows = [putRow(3000, [{ v: 'a' }]), putRow(3001, [{ v: 'b' }]), putRow(3000, [{ v: 'c' }])];
  const e = await expectError(call(client, 'batchWriteRow', { tables: [{ tableName: 'b', rows }] }));
  assert.equal(e.code, 'OTSParameterInvalid');
  assert.match(e.message, /^Duplicate rows detected/);
});

test('an empty batch is refused', async () => {
  const e = await expectError(call(client, 'batchWriteRow', { tables: [{ tableName: 'b', rows: [] }] }));
  assert.equal(e.code, 'OTSParameterInvalid');
});

test('PUT, UPDATE and DELETE rows on two tables in one request, with per-row condition failures', async () => {
  await call(client, 'putRow', { tableName: 'b', condition: IGNORE(), primaryKey: [{ k: Long.fromNumber(4000) }], attributeColumns: [{ v: 'old' }, { w: 'keep' }] });
  await call(client, 'putRow', { tableName: 'b', condition: IGNORE(), primaryKey: [{ k: Long.fromNumber(4001) }], attributeColumns: [{ v: 'del' }] });
  const res = await call(client, 'batchWriteRow', {
    tables: [
      {
        tableName: 'b',
        rows: [
          { type: 'UPDATE', condition: IGNORE(), primaryKey: [{ k: Long.fromNumber(4000) }], attributeColumns: [{ PUT: [{ v: 'new' }] }] },
          { type: 'DELETE', condition: IGNORE(), primaryKey: [{ k: Long.fromNumber(4001) }], attributeColumns: [] },
          {
            type: 'PUT', condition: new TableStore.Condition(TableStore.RowExistenceExpectation.EXPECT_EXIST, null),
            primaryKey: [{ k: Long.fromNumber(4002) }], attributeColumns: [{ v: 'never' }],
          },
        ],
      },
      { tableName: 'b2', rows: [{ type: 'PUT', condition: IGNORE(), primaryKey: [{ s: 'x' }], attributeColumns: [{ n: Long.fromNumber(1) }] }] },
    ],
  });
  assert.deepEqual(res.tables.map((r) => [r.tableName, r.isOk, r.errorCode]), [
    ['b', true, null], ['b', true, null], ['b', false, 'OTSConditionCheckFail'], ['b2', true, null],
  ]);
  assert.equal(res.tables[2].errorMessage, 'Condition check failed.');

  const r0 = (await call(client, 'getRow', { tableName: 'b', primaryKey: [{ k: Long.fromNumber(4000) }] })).row;
  assert.equal(attr(r0, 'v'), 'new');
  assert.equal(attr(r0, 'w'), 'keep');
  const r1 = await call(client, 'getRow', { tableName: 'b', primaryKey: [{ k: Long.fromNumber(4001) }] });
  assert.ok(!r1.row || !r1.row.primaryKey);
  const r2 = await call(client, 'getRow', { tableName: 'b', primaryKey: [{ k: Long.fromNumber(4002) }] });
  assert.ok(!r2.row || !r2.row.primaryKey);
  const r3 = (await call(client, 'getRow', { tableName: 'b2', primaryKey: [{ s: 'x' }] })).row;
  assert.equal(int64(attr(r3, 'n')), '1');
});

test('BatchGetRow reads rows of two tables, missing rows included, in request order', async () => {
  const res = await call(client, 'batchGetRow', {
    tables: [
      { tableName: 'b', primaryKey: [[{ k: Long.fromNumber(5) }], [{ k: Long.fromNumber(999999) }], [{ k: Long.fromNumber(7) }]], maxVersions: 1 },
      { tableName: 'b2', primaryKey: [[{ s: 'x' }]], maxVersions: 1 },
    ],
  });
  assert.equal(res.tables.length, 2);
  const [first, second] = res.tables;
  assert.deepEqual(first.map((r) => r.isOk), [true, true, true]);
  assert.equal(attr(first[0], 'v'), 'r5');
  assert.equal(first[1].primaryKey, null, 'a missing row has no key');
  assert.equal(attr(first[2], 'v'), 'r7');
  assert.equal(int64(attr(second[0], 'n')), '1');
});

test('BatchGetRow of more than 100 rows is refused', async () => {
  const keys = Array.from({ length: 101 }, (_, i) => [{ k: Long.fromNumber(i) }]);
  const e = await expectError(call(client, 'batchGetRow', { tables: [{ tableName: 'b', primaryKey: keys, maxVersions: 1 }] }));
  assert.equal(e.code, 'OTSParameterInvalid');
  assert.match(e.message, /^Rows count exceeds the upper limit/);
});
