// Throttled partitions (`tsbridge emulator --partition-write-rate`): what the official SDK sees
// when a partition is written faster than its cap. A table created with CreateTable `partitions`
// (built from the SDK's compiled messages: the SDK has no call that sets them) is cut at their
// begins; each partition is a token bucket of the given rows/s with half a second of burst.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Long, startEmulator, makeClient, call, expectError, IGNORE, pb, rawRequest, decodeError,
} from './lib.mjs';

const RATE = 100;  // rows/s per partition: low, so that a loaded machine still outruns it
let emu;
let client;

// A partition key value in the single-value encoding (wire doc B.2): INTEGER as 0x00 + i64 LE.
function intValue(v) {
  const b = Buffer.alloc(9);
  b[0] = 0x00;
  b.writeBigInt64LE(BigInt(v), 1);
  return b;
}
const INF_MIN = Buffer.from([0x09]);
const INF_MAX = Buffer.from([0x0a]);

async function createSplitTable(name, cuts) {
  const bounds = [INF_MIN, ...cuts.map(intValue), INF_MAX];
  const body = pb.CreateTableRequest.encode(pb.CreateTableRequest.create({
    tableMeta: { tableName: name, primaryKey: [{ name: 'k', type: pb.PrimaryKeyType.INTEGER }] },
    reservedThroughput: { capacityUnit: { read: 0, write: 0 } },
    tableOptions: { timeToLive: -1, maxVersions: 1 },
    partitions: bounds.slice(0, -1).map((begin, i) => ({ begin, end: bounds[i + 1] })),
  })).finish();
  const res = await rawRequest(emu.endpoint, 'CreateTable', Buffer.from(body));
  assert.equal(res.status, 200, `CreateTable: ${res.status} ${res.body.length ? JSON.stringify(decodeError(res.body)) : ''}`);
}

const put = (k) => ({ type: 'PUT', condition: IGNORE(), primaryKey: [{ k: Long.fromNumber(k) }], attributeColumns: [{ v: `r${k}` }] });
const batch = (table, keys) => call(client, 'batchWriteRow', { tables: [{ tableName: table, rows: keys.map(put) }] });
const exists = async (table, k) => {
  const got = await call(client, 'getRow', { tableName: table, primaryKey: [{ k: Long.fromNumber(k) }] });
  return Boolean(got.row && got.row.primaryKey);
};
const range = (from, n) => Array.from({ length: n }, (_, i) => from + i);
// Puts a partition in debt: 200 rows are four times its burst, and two seconds of its rate.
const press = (table, keys) => batch(table, keys);

before(async () => {
  emu = await startEmulator({ args: ['--partition-write-rate', String(RATE)] });
  client = makeClient(emu.endpoint);
  await createSplitTable('t', [1000]);
  await createSplitTable('cap', [1000, 2000, 3000]);
});
after(async () => { await emu.stop(); });

test('the banner names the cap', () => {
  assert.match(emu.stderr(), new RegExp(`throttle +${RATE} rows/s per partition`));
});

test('PutRow beyond a partition\'s budget is 503 OTSServerBusy "Server is busy." and writes nothing', async () => {
  await press('t', range(0, 200));
  const e = await expectError(call(client, 'putRow', {
    tableName: 't', condition: IGNORE(), primaryKey: [{ k: Long.fromNumber(500) }], attributeColumns: [{ v: 'x' }],
  }));
  assert.deepEqual(e, { status: 503, code: 'OTSServerBusy', message: 'Server is busy.' });
  assert.equal(await exists('t', 500), false);
  // The other partition has its own budget.
  await call(client, 'putRow', {
    tableName: 't', condition: IGNORE(), primaryKey: [{ k: Long.fromNumber(1500) }], attributeColumns: [{ v: 'x' }],
  });
  assert.equal(await exists('t', 1500), true);
});

test('in a batch, the rows of the throttled partition fail alone, row by row', async () => {
  await press('t', range(200, 200));
  const res = await batch('t', [...range(600, 5), ...range(1600, 5)]);
  assert.equal(res.tables.length, 10);
  for (const [i, row] of res.tables.entries()) {
    if (i < 5) {
      assert.equal(row.isOk, false, `row ${i}`);
      assert.deepEqual({ code: row.errorCode, message: row.errorMessage },
        { code: 'OTSServerBusy', message: 'Server is busy.' });
    } else {
      assert.equal(row.isOk, true, `row ${i}`);
    }
  }
  assert.equal(await exists('t', 600), false);
  assert.equal(await exists('t', 1600), true);
});

test('a batch whose every row is throttled is answered row by row too (HTTP 200, nothing written)', async () => {
  await press('t', range(400, 200));
  const res = await batch('t', range(700, 10));
  assert.equal(res.tables.length, 10);
  assert.deepEqual(res.tables.map((r) => [r.isOk, r.errorCode, r.errorMessage]),
    Array(10).fill([false, 'OTSServerBusy', 'Server is busy.']));
  assert.equal(await exists('t', 700), false);
});

test('each partition holds its cap: rows/s within 10% above it (plus its burst) and near it when pressed', async () => {
  // Four writers per partition press two of the four partitions as hard as they can with 10-row
  // batches, sending a refused row again at once (SDK retries are off); the other two are idle.
  const seconds = 3;
  const stopAt = Date.now() + seconds * 1000;
  const written = [0, 0];
  const busy = [0, 0];
  // Partition 0 holds the keys below 1000 (negative ones too), partition 1 those in [1000, 2000):
  // writer w of partition 1 cycles through its own 250 of them.
  const key = (p, w, i) => (p === 0 ? -10_000_000 + w * 1_000_000 + i : 1000 + w * 250 + (i % 250));
  const started = Date.now();
  await Promise.all([0, 1].flatMap((p) => [0, 1, 2, 3].map(async (w) => {
    let i = 0;
    let pending = [];
    while (Date.now() < stopAt) {
      while (pending.length < 10) pending.push(key(p, w, i++));
      const res = await batch('cap', pending);
      const again = [];
      res.tables.forEach((row, j) => {
        if (row.isOk) ++written[p]; else { ++busy[p]; again.push(pending[j]); }
      });
      pending = again;
    }
  })));
  const elapsed = (Date.now() - started) / 1000;
  for (const p of [0, 1]) {
    const ceiling = (RATE * elapsed + RATE / 2 + 10) * 1.1;
    assert.ok(busy[p] > 0, `partition ${p} was pressed beyond its cap`);
    assert.ok(written[p] <= ceiling, `partition ${p}: ${written[p]} rows in ${elapsed} s, at most ${ceiling}`);
    assert.ok(written[p] >= RATE * elapsed * 0.8, `partition ${p}: ${written[p]} rows in ${elapsed} s, at least 80% of the cap`);
  }
});
