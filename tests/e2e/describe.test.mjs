// `tsbridge describe` end to end (issue 17's "Done when"): the guide's table `ots_tpch_orders`
// and a table of awkward values, created and filled through the official Node.js SDK; describe's
// report is checked against what the SDK says of the tables (describeTable, listTable,
// ComputeSplitPointsBySize) and against the rows the test itself wrote.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  TableStore, Long, KEY_SECRET, startEmulator, call, createTable, bulkPut, runTsbridge, describeRun,
  openDuck, tempDir, writeSpec, guideSpec, readOrders, loadOrders, computeSplits, client as sdkClient,
  ORDERS_TABLE, GUIDE_COLUMNS, INSTANCE,
} from './lib.mjs';

let emu;
let sdk;
let tmp;
let orders;  // the guide's five columns of the first 3000 corpus orders, in key order
const outputs = [];  // every describe run's stdout and stderr, searched for the secret at the end

const LOCATION = `tablestore://${INSTANCE}.cn-shanghai.ots-internal.aliyuncs.com`;

async function describe(spec, args = [], name = 'spec') {
  const file = writeSpec(tmp.file(`${name}.json`), spec);
  const r = await runTsbridge(['describe', '--spec', file, ...args], { endpoint: emu.endpoint });
  outputs.push(r.stdout.toString(), r.stderr);
  return r;
}

async function describeJson(spec, name, args = []) {
  const r = await describe(spec, ['--json', ...args], name);
  let report;
  try {
    report = JSON.parse(r.stdout.toString());
  } catch (e) {
    assert.fail(`describe --json printed no JSON (${e.message}): ${describeRun(r)}`);
  }
  return { r, report };
}

const codes = (report) => report.findings.map((f) => f.code);

before(async () => {
  tmp = tempDir('tsb-describe-');
  emu = await startEmulator();
  sdk = sdkClient(emu.endpoint);
  const duck = await openDuck();
  try {
    // The guide's table holds exactly the guide's five columns (the corpus's o_comment is left out).
    orders = (await readOrders(duck, { limit: 3000 })).map((o) => ({ ...o, o_comment: null }));
  } finally {
    duck.close();
  }
  await loadOrders(sdk, orders);
});

after(async () => {
  await emu?.stop();
  tmp?.cleanup();
});

test("the guide's mapping: schema, mapping, sample, external table, no findings, exit 0", async () => {
  const spec = guideSpec(undefined, { tablestore: { location: LOCATION } });
  delete spec.tablestore.endpoint;
  delete spec.tablestore.instance;
  const { r, report } = await describeJson(spec, 'guide');
  assert.equal(r.code, 0, describeRun(r));
  assert.deepEqual(report.findings, []);
  assert.equal(report.errors, 0);
  assert.equal(report.exit_code, 0);

  assert.deepEqual(report.tablestore, {
    endpoint: emu.endpoint, instance: INSTANCE, table: ORDERS_TABLE, region: 'cn-shanghai', role_arn: null,
  });
  const sdkTable = await call(sdk, 'describeTable', { tableName: ORDERS_TABLE });
  assert.deepEqual(report.table.primary_key, sdkTable.tableMeta.primaryKey.map((k) => ({
    name: k.name, type: { 1: 'INTEGER', 2: 'STRING', 3: 'BINARY' }[k.type], auto_increment: false,
  })));
  assert.deepEqual(report.table.primary_key.map((k) => [k.name, k.type]),
    [['o_orderkey', 'INTEGER'], ['o_orderdate', 'STRING']]);
  assert.deepEqual(report.table.defined_columns, []);
  assert.deepEqual(report.table.options, {
    time_to_live: sdkTable.tableOptions.timeToLive,
    max_versions: sdkTable.tableOptions.maxVersions,
    max_time_deviation: Number(sdkTable.tableOptions.deviationCellVersionInSec),
  });
  assert.equal(report.table.options.time_to_live, -1);
  assert.equal(report.table.options.max_versions, 1);
  assert.deepEqual(report.table.reserved_throughput, {
    read: Number(sdkTable.reservedThroughputDetails.capacityUnit.read ?? 0),
    write: Number(sdkTable.reservedThroughputDetails.capacityUnit.write ?? 0),
  });
  const { points } = await computeSplits(emu.endpoint, ORDERS_TABLE);
  assert.equal(report.table.size.splits, points.length + 1);
  const fine = await computeSplits(emu.endpoint, ORDERS_TABLE, { splitSize: 1 });
  assert.equal(report.table.size.estimated_bytes_at_most, (fine.points.length + 1) * 1048576);

  // The sample: the first 1000 rows; each attribute's kind counted over the rows that hold it.
  const first = orders.slice(0, 1000);
  const held = (name) => first.filter((o) => o[name] !== null).length;
  assert.equal(report.sample.rows, 1000);
  assert.equal(report.sample.requested, 1000);
  const line = (column, localType, otsColumn, kind, seen) => ({
    column, local_type: localType, tablestore_column: otsColumn,
    tablestore_type: kind === 'primary_key' ? seen : null, kind,
    types_seen: kind === 'primary_key' ? [] : [{ type: seen, count: held(otsColumn) }],
    rows_seen: kind === 'primary_key' ? 0 : held(otsColumn),
  });
  assert.deepEqual(report.mapping, [
    line('odps_orderkey', 'bigint', 'o_orderkey', 'primary_key', 'INTEGER'),
    line('odps_orderdate', 'string', 'o_orderdate', 'primary_key', 'STRING'),
    line('odps_custkey', 'bigint', 'o_custkey', 'attribute', 'INTEGER'),
    line('odps_orderstatus', 'string', 'o_orderstatus', 'attribute', 'STRING'),
    line('odps_totalprice', 'double', 'o_totalprice', 'attribute', 'DOUBLE'),
  ]);
  assert.deepEqual(report.external_table, {
    storage_handler: 'com.aliyun.odps.TableStoreStorageHandler',
    location: LOCATION,
    serde_properties: {
      'tablestore.columns.mapping': ':o_orderkey,:o_orderdate,o_custkey,o_orderstatus,o_totalprice',
      'tablestore.table.name': ORDERS_TABLE,
    },
  });

  // The same report as text.
  const text = await describe(spec, [], 'guide');
  assert.equal(text.code, 0, describeRun(text));
  const out = text.stdout.toString();
  assert.match(out, /^Table ots_tpch_orders\n/);
  assert.match(out, /primary key +o_orderkey INTEGER, o_orderdate STRING\n/);
  assert.match(out, new RegExp(`odps_custkey +bigint +o_custkey +INTEGER ${held('o_custkey')} +attribute\n`));
  assert.match(out, /odps_orderdate +string +o_orderdate +STRING +primary key\n/);
  assert.match(out, /Storage Handler +com\.aliyun\.odps\.TableStoreStorageHandler\n/);
  assert.match(out, new RegExp(`Location +${LOCATION.replaceAll('.', '\\.')}\n`));
  assert.match(out, /\nFindings: none\n$/);
});

test('a primary key left out: pk_missing names it, exit 2', async () => {
  const { r, report } = await describeJson(guideSpec(emu.endpoint, {
    columns: GUIDE_COLUMNS.filter((c) => c.name !== 'odps_orderdate'),
    mapping: ':o_orderkey,o_custkey,o_orderstatus,o_totalprice',
  }), 'missing');
  assert.equal(r.code, 2, describeRun(r));
  assert.deepEqual(codes(report), ['pk_missing']);
  const [f] = report.findings;
  assert.equal(f.severity, 'error');
  assert.equal(f.tablestore_column, 'o_orderdate');
  assert.equal(f.column, null);
  assert.match(f.fix, /":o_orderdate" to the mapping as key entry 2/);
  assert.equal(report.exit_code, 2);
  // The sample still reads (with the table's own key): the attributes are judged too.
  assert.equal(report.sample.rows, 1000);
  assert.match(r.stderr, /tsbridge describe: the mapping cannot work: 1 error finding\(s\): pk_missing/);
});

test('the two primary keys swapped: pk_order, exit 2', async () => {
  const [key, date, ...rest] = GUIDE_COLUMNS;
  const { r, report } = await describeJson(guideSpec(emu.endpoint, {
    columns: [date, key, ...rest],
    mapping: ':o_orderdate,:o_orderkey,o_custkey,o_orderstatus,o_totalprice',
  }), 'swapped');
  assert.equal(r.code, 2, describeRun(r));
  assert.deepEqual(codes(report), ['pk_order']);
  assert.equal(report.findings[0].column, 'odps_orderdate');
  assert.match(report.findings[0].message, /mapped in the order \(o_orderdate, o_orderkey\)/);
  assert.match(report.findings[0].fix, /":o_orderkey,:o_orderdate"/);

  const text = await describe(guideSpec(emu.endpoint, {
    columns: [date, key, ...rest],
    mapping: ':o_orderdate,:o_orderkey,o_custkey,o_orderstatus,o_totalprice',
  }), [], 'swapped');
  assert.equal(text.code, 2);
  assert.match(text.stdout.toString(), /error pk_order \[odps_orderdate -> o_orderdate\]: /);
});

test('a bigint mapped onto a STRING key: key_type_mismatch, exit 2', async () => {
  const columns = GUIDE_COLUMNS.map((c) => (c.name === 'odps_orderdate' ? { ...c, type: 'bigint' } : c));
  const { r, report } = await describeJson(guideSpec(emu.endpoint, { columns }), 'keytype');
  assert.equal(r.code, 2, describeRun(r));
  assert.deepEqual(codes(report), ['key_type_mismatch']);
  const [f] = report.findings;
  assert.equal(f.column, 'odps_orderdate');
  assert.equal(f.tablestore_column, 'o_orderdate');
  assert.match(f.message, /"o_orderdate" is STRING in table "ots_tpch_orders", but column "odps_orderdate" is bigint \(stored as INTEGER\)/);
  assert.match(f.fix, /string, date or decimal\(p,s\)/);
});

test('a mapped attribute no row has (o_custkye): attribute_not_seen suggests o_custkey, exit 0', async () => {
  const { r, report } = await describeJson(guideSpec(emu.endpoint, {
    mapping: ':o_orderkey,:o_orderdate,o_custkye,o_orderstatus,o_totalprice',
  }), 'typo');
  assert.equal(r.code, 0, describeRun(r));
  assert.deepEqual(codes(report), ['attribute_not_seen', 'attribute_not_mapped']);
  const [seen, unmapped] = report.findings;
  assert.equal(seen.severity, 'warning');
  assert.equal(seen.column, 'odps_custkey');
  assert.equal(seen.tablestore_column, 'o_custkye');
  assert.deepEqual(seen.close_matches, ['o_custkey']);
  assert.match(seen.message, /none of the 1000 sampled rows carries the attribute "o_custkye"/);
  assert.match(seen.fix, /did you mean "o_custkey"\?/);
  // The attribute it should have named is the one the mapping leaves out.
  assert.equal(unmapped.severity, 'info');
  assert.equal(unmapped.tablestore_column, 'o_custkey');
  assert.equal(unmapped.rows, orders.slice(0, 1000).filter((o) => o.o_custkey !== null).length);
  assert.deepEqual(report.mapping[2].types_seen, []);
  assert.equal(report.mapping[2].rows_seen, 0);
});

test('values the local types cannot hold: type_cannot_hold, value_would_reject, timestamp_finer_than_ticks', async () => {
  const table = 'describe_values';
  await createTable(sdk, table, [{ name: 'id', type: 'INTEGER' }]);
  const micros = 1733500000123456n;  // 2024-12-06 in microseconds: year 56902 read as millis
  const rows = [];
  for (let id = 0; id < 50; id++) {
    rows.push({
      primaryKey: [{ id: Long.fromNumber(id) }],
      attributeColumns: [
        { n: id === 7 || id === 30 ? `bad${id}` : Long.fromNumber(id * 3) },
        { ts: Long.fromString(String(micros + BigInt(id))) },
        { label: `label-${id}` },
        { extra: id % 2 === 0 },
      ],
    });
  }
  await bulkPut(sdk, table, rows);
  const spec = {
    tablestore: { endpoint: emu.endpoint, instance: INSTANCE, table },
    columns: [
      { name: 'id', type: 'bigint' }, { name: 'n', type: 'bigint' },
      { name: 'ts', type: 'timestamp' }, { name: 'label', type: 'bigint' },
    ],
    mapping: ':id,n,ts,label',
  };
  const { r, report } = await describeJson(spec, 'values');
  assert.equal(r.code, 2, describeRun(r));
  assert.deepEqual(codes(report).sort(),
    ['attribute_not_mapped', 'timestamp_finer_than_ticks', 'type_cannot_hold', 'value_would_reject']);
  const by = Object.fromEntries(report.findings.map((f) => [f.code, f]));
  assert.equal(by.type_cannot_hold.severity, 'error');
  assert.equal(by.type_cannot_hold.column, 'label');
  assert.equal(by.type_cannot_hold.rows, 50);
  assert.match(by.type_cannot_hold.message, /every sampled value of "label" is of another kind \(STRING 50\)/);
  assert.match(by.type_cannot_hold.fix, /holds STRING: string, date or decimal/);
  assert.equal(by.value_would_reject.severity, 'warning');
  assert.equal(by.value_would_reject.column, 'n');
  assert.equal(by.value_would_reject.rows, 2);
  assert.match(by.value_would_reject.message, /2 of the 50 sampled rows hold a value of "n" that the column cannot hold .*; the first, \(id=7\), holds STRING: stored STRING/);
  assert.equal(by.timestamp_finer_than_ticks.column, 'ts');
  assert.equal(by.timestamp_finer_than_ticks.fix, 'set "ticks_unit": "micros" on column "ts"');
  assert.match(by.timestamp_finer_than_ticks.message, new RegExp(`reach ${micros + 49n}`));
  assert.equal(by.attribute_not_mapped.tablestore_column, 'extra');
  assert.equal(by.attribute_not_mapped.rows, 50);
  assert.deepEqual(report.mapping[1].types_seen, [{ type: 'INTEGER', count: 48 }, { type: 'STRING', count: 2 }]);
  assert.deepEqual(report.sample.attributes.find((a) => a.name === 'extra'),
    { name: 'extra', rows: 50, types: [{ type: 'BOOLEAN', count: 50 }] });

  // --sample 0 reads no rows: the key is still judged, the attributes are not.
  const none = await describeJson(spec, 'values', ['--sample', '0']);
  assert.equal(none.r.code, 0, describeRun(none.r));
  assert.deepEqual(none.report.findings, []);
  assert.equal(none.report.sample.rows, 0);
});

test('the schema as the SDK created it: defined columns, an auto-increment key, options, reserved throughput', async () => {
  const table = 'describe_schema_table';
  await call(sdk, 'createTable', {
    tableMeta: {
      tableName: table,
      primaryKey: [{ name: 'shard', type: 'STRING' }, { name: 'seq', type: 'INTEGER', option: 'AUTO_INCREMENT' }],
      definedColumn: [{ name: 'price', type: TableStore.DefinedColumnType.DCT_DOUBLE },
        { name: 'note', type: TableStore.DefinedColumnType.DCT_STRING }],
    },
    reservedThroughput: { capacityUnit: { read: 2, write: 1 } },
    tableOptions: { timeToLive: 172800, maxVersions: 3, maxTimeDeviation: 3600 },
  });
  const sdkTable = await call(sdk, 'describeTable', { tableName: table });
  const spec = {
    tablestore: { endpoint: emu.endpoint, instance: INSTANCE, table },
    columns: [{ name: 'shard', type: 'string' }, { name: 'seq', type: 'bigint' },
      { name: 'price', type: 'string' }, { name: 'note', type: 'string' }],
    mapping: ':shard,:seq,price,note',
  };
  const { r, report } = await describeJson(spec, 'schema');
  assert.equal(r.code, 2, describeRun(r));
  assert.deepEqual(report.table.primary_key, [
    { name: 'shard', type: 'STRING', auto_increment: false },
    { name: 'seq', type: 'INTEGER', auto_increment: true },
  ]);
  assert.deepEqual(report.table.defined_columns,
    sdkTable.tableMeta.definedColumn.map((d) => ({ name: d.name, type: { 2: 'DOUBLE', 4: 'STRING' }[d.type] })));
  assert.deepEqual(report.table.defined_columns, [{ name: 'price', type: 'DOUBLE' }, { name: 'note', type: 'STRING' }]);
  assert.deepEqual(report.table.options, { time_to_live: 172800, max_versions: 3, max_time_deviation: 3600 });
  assert.deepEqual(report.table.reserved_throughput, { read: 2, write: 1 });
  assert.equal(Number(sdkTable.reservedThroughputDetails.capacityUnit.read), 2);
  assert.equal(sdkTable.tableOptions.timeToLive, 172800);
  assert.equal(Number(sdkTable.tableOptions.deviationCellVersionInSec), 3600);
  // The empty table: one split, no sampled rows, and the defined column's type judged without one.
  assert.equal(report.sample.rows, 0);
  assert.deepEqual(codes(report), ['type_cannot_hold']);
  assert.equal(report.findings[0].column, 'price');
  assert.match(report.findings[0].message, /"price" is a defined column of type DOUBLE/);
  assert.deepEqual(report.mapping.map((m) => m.tablestore_type), ['STRING', 'INTEGER', 'DOUBLE', 'STRING']);
  const text = (await describe(spec, [], 'schema')).stdout.toString();
  assert.match(text, /primary key +shard STRING, seq INTEGER AUTO_INCREMENT\n/);
  assert.match(text, /defined columns +price DOUBLE, note STRING\n/);
  assert.match(text, /reserved +read 2 CU, write 1 CU\n/);
  assert.match(text, /options +time to live 172800 s, max versions 3, max time deviation 3600 s\n/);
  assert.match(text, /\(sample: 0 rows of 1000 asked for, from the start of 1 of 1 split \(the table is empty\)\)/);
});

test('--list-tables lists the tables as the SDK sees them; --json an array', async () => {
  await createTable(sdk, 'describe_listed', [{ name: 'k', type: 'STRING' }]);
  const { tableNames } = await call(sdk, 'listTable', {});
  assert.ok(tableNames.includes(ORDERS_TABLE) && tableNames.includes('describe_listed'));
  const r = await describe(guideSpec(emu.endpoint), ['--list-tables'], 'list');
  assert.equal(r.code, 0, describeRun(r));
  assert.deepEqual(r.stdout.toString().split('\n').filter(Boolean).sort(), [...tableNames].sort());
  const j = await describe(guideSpec(emu.endpoint), ['--list-tables', '--json'], 'list');
  assert.equal(j.code, 0, describeRun(j));
  assert.deepEqual(JSON.parse(j.stdout.toString()).sort(), [...tableNames].sort());
});

test('a table that does not exist is exit 2 naming it; a wrong secret is exit 4', async () => {
  const r = await describe(guideSpec(emu.endpoint, { tablestore: { table: 'no_such_table' } }), [], 'absent');
  assert.equal(r.code, 2, describeRun(r));
  assert.match(r.stderr, /table "no_such_table" does not exist in instance "e2e"/);
  const file = writeSpec(tmp.file('auth.json'), guideSpec(emu.endpoint));
  const bad = await runTsbridge(['describe', '--spec', file], { secret: 'not-the-secret-xyz', endpoint: emu.endpoint });
  outputs.push(bad.stdout.toString(), bad.stderr);
  assert.equal(bad.code, 4, describeRun(bad));
  assert.ok(!bad.stderr.includes('not-the-secret-xyz'));
  // Where the refused key came from, so that the user knows which secret to fix.
  assert.match(bad.stderr, /credentials: environment \(access key id [^)]+\)/);
});

test('no secret in any output', () => {
  assert.ok(outputs.length >= 10);
  for (const text of outputs) assert.ok(!text.includes(KEY_SECRET), `the secret appears in: ${text}`);
});
