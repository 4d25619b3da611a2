// ComputeSplitPointsBySize on a table of more than 50 MB. The Node SDK has no call for it, so the
// request is built from the SDK's compiled protobuf messages and signed by the SDK's Signer; the
// split points are decoded by the SDK's PlainBuffer decoder. The splits must cover the key space
// without overlap: scanning each with GetRange visits every row exactly once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  TableStore, Long, pb, startEmulator, makeClient, call, createTable, bulkPut, rawRequest, decodeRow, decodeError, int64,
} from './lib.mjs';

const ROWS = 260;
const ROW_BYTES = 200 * 1024;
let emu;
let client;

before(async () => {
  emu = await startEmulator();
  client = makeClient(emu.endpoint);
  await createTable(client, 'big', [{ name: 'k', type: 'INTEGER' }, { name: 'h', type: 'STRING' }]);
  const blob = Buffer.alloc(ROW_BYTES, 0x61);
  const rows = Array.from({ length: ROWS }, (_, i) => ({
    primaryKey: [{ k: Long.fromNumber(i * 7) }, { h: `h${i % 3}` }], attributeColumns: [{ v: blob }],
  }));
  await bulkPut(client, 'big', rows, { per: 15, inFlight: 2 });
});
after(async () => { await emu.stop(); });

async function splitPoints(splitSize, unit) {
  const req = { tableName: 'big', splitSize };
  if (unit !== undefined) req.splitSizeUnitInByte = unit;
  const body = Buffer.from(pb.ComputeSplitPointsBySizeRequest.encode(pb.ComputeSplitPointsBySizeRequest.fromObject(req)).finish());
  const res = await rawRequest(emu.endpoint, 'ComputeSplitPointsBySize', body);
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${JSON.stringify(decodeError(res.body))}`);
  return pb.ComputeSplitPointsBySizeResponse.decode(res.body);
}

test('10 MiB splits of a 52 MB table cover the key space without overlap', async () => {
  const res = await splitPoints(1, 10 * 1024 * 1024);
  assert.deepEqual(res.schema.map((c) => [c.name, c.type]), [['k', 1], ['h', 2]]);
  const points = res.splitPoints.map((b) => decodeRow(b).primaryKey);
  const totalMiB = (ROWS * ROW_BYTES) / (1024 * 1024);
  assert.ok(points.length >= Math.floor(totalMiB / 10) - 1 && points.length <= Math.ceil(totalMiB / 10) + 1,
    `${points.length} split points for ${totalMiB.toFixed(1)} MiB`);
  assert.ok(res.consumed.capacityUnit.read >= 1);
  const splitCount = res.locations.reduce((n, l) => n + Number(int64(l.repeat)), 0);
  assert.equal(splitCount, points.length + 1, 'locations run-length over the splits');

  // Points are real keys in ascending order.
  const keyNum = (pk) => Number(int64(pk[0].value));
  for (let i = 1; i < points.length; i++) assert.ok(keyNum(points[i]) > keyNum(points[i - 1]));

  // Pad each point to a full key with INF_MIN and scan split by split.
  const pad = (pk) => {
    const out = pk.map((c) => ({ [c.name]: c.value }));
    if (out.length < 2) out.push({ h: TableStore.INF_MIN });
    return out;
  };
  const bounds = [[{ k: TableStore.INF_MIN }, { h: TableStore.INF_MIN }], ...points.map(pad), [{ k: TableStore.INF_MAX }, { h: TableStore.INF_MAX }]];
  const seen = [];
  const perSplit = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    let start = bounds[i];
    let n = 0;
    for (;;) {
      const page = await call(client, 'getRange', {
        tableName: 'big', direction: TableStore.Direction.FORWARD, maxVersions: 1, columnsToGet: ['k'],
        inclusiveStartPrimaryKey: start, exclusiveEndPrimaryKey: bounds[i + 1],
      });
      for (const r of page.rows) seen.push(Number(int64(r.primaryKey[0].value)));
      n += page.rows.length;
      if (!page.nextStartPrimaryKey) break;
      start = page.nextStartPrimaryKey.map((c) => ({ [c.name]: c.value }));
    }
    perSplit.push(n);
  }
  assert.deepEqual(seen, Array.from({ length: ROWS }, (_, i) => i * 7), 'every row once, in order');
  const target = Math.ceil((10 * 1024 * 1024) / ROW_BYTES);
  assert.ok(perSplit.every((n) => n <= target + 1), `rows per split ${perSplit} (target about ${target})`);
});

test('without split_size_unit_in_byte the unit is 100 MiB: one split for 52 MB', async () => {
  const res = await splitPoints(1);
  assert.equal(res.splitPoints.length, 0);
});

test('a missing table is refused', async () => {
  const body = Buffer.from(pb.ComputeSplitPointsBySizeRequest.encode(
    pb.ComputeSplitPointsBySizeRequest.fromObject({ tableName: 'nope', splitSize: 1 })).finish());
  const res = await rawRequest(emu.endpoint, 'ComputeSplitPointsBySize', body);
  assert.equal(res.status, 404);
  assert.equal(decodeError(res.body).code, 'OTSObjectNotExist');
});
