// Table operations through the official SDK: create, list, describe, update, delete, and the
// service's refusals (existing table, missing table, invalid schemas).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator, makeClient, call, expectError, createTable } from './lib.mjs';

let emu;
let client;
before(async () => {
  emu = await startEmulator();
  client = makeClient(emu.endpoint);
});
after(async () => {
  assert.equal(await emu.stop(), 0, 'the emulator exits 0 after SIGTERM');
});

test('create, list, describe, update and delete a table', async () => {
  await createTable(client, 'orders', [{ name: 'o_orderkey', type: 'INTEGER' }, { name: 'o_orderdate', type: 'STRING' }],
    { maxVersions: 3, timeToLive: -1 });
  await createTable(client, 'blobs', [{ name: 'k', type: 'BINARY' }]);

  const list = await call(client, 'listTable', {});
  assert.deepEqual([...list.tableNames].sort(), ['blobs', 'orders']);

  const d = await call(client, 'describeTable', { tableName: 'orders' });
  assert.equal(d.tableMeta.tableName, 'orders');
  assert.deepEqual(d.tableMeta.primaryKey.map((c) => [c.name, c.type]), [['o_orderkey', 1], ['o_orderdate', 2]]);
  assert.equal(d.tableOptions.maxVersions, 3);
  assert.equal(d.tableOptions.timeToLive, -1);
  assert.equal(d.tableStatus, 1, 'ACTIVE');
  assert.ok(d.reservedThroughputDetails, 'reserved throughput details are present');

  await call(client, 'updateTable', { tableName: 'orders', tableOptions: { maxVersions: 5, timeToLive: 86400 } });
  const d2 = await call(client, 'describeTable', { tableName: 'orders' });
  assert.equal(d2.tableOptions.maxVersions, 5);
  assert.equal(d2.tableOptions.timeToLive, 86400);

  await call(client, 'deleteTable', { tableName: 'blobs' });
  const list2 = await call(client, 'listTable', {});
  assert.deepEqual([...list2.tableNames], ['orders']);
});

test('an existing table is refused with OTSObjectAlreadyExist', async () => {
  await createTable(client, 'dup', [{ name: 'k', type: 'STRING' }]);
  const e = await expectError(createTable(client, 'dup', [{ name: 'k', type: 'STRING' }]));
  assert.equal(e.status, 409);
  assert.equal(e.code, 'OTSObjectAlreadyExist');
  assert.equal(e.message, 'Requested table already exists.');
});

test('a missing table is refused with OTSObjectNotExist', async () => {
  for (const op of ['describeTable', 'deleteTable']) {
    const e = await expectError(call(client, op, { tableName: 'nope' }));
    assert.equal(e.status, 404, op);
    assert.equal(e.code, 'OTSObjectNotExist', op);
    assert.equal(e.message, 'Requested table does not exist.', op);
  }
  const e = await expectError(call(client, 'getRow', { tableName: 'nope', primaryKey: [{ k: 'a' }] }));
  assert.equal(e.code, 'OTSObjectNotExist');
});

test('invalid schemas are refused with OTSParameterInvalid', async () => {
  const five = ['a', 'b', 'c', 'd', 'e'].map((name) => ({ name, type: 'STRING' }));
  let e = await expectError(createTable(client, 'five_pk', five));
  assert.equal(e.code, 'OTSParameterInvalid');
  assert.equal(e.status, 400);

  e = await expectError(createTable(client, 'bad_ttl', [{ name: 'k', type: 'STRING' }], { timeToLive: 0 }));
  assert.equal(e.code, 'OTSParameterInvalid');

  e = await expectError(createTable(client, 'bad-name', [{ name: 'k', type: 'STRING' }]));
  assert.equal(e.code, 'OTSParameterInvalid');
});

test('each instance is its own namespace', async () => {
  const other = makeClient(emu.endpoint, { instance: 'another' });
  await createTable(other, 'only_here', [{ name: 'k', type: 'STRING' }]);
  const mine = await call(client, 'listTable', {});
  assert.ok(!mine.tableNames.includes('only_here'));
  const theirs = await call(other, 'listTable', {});
  assert.deepEqual([...theirs.tableNames], ['only_here']);
});
