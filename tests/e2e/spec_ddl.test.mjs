// `tsbridge spec`, end to end: the guide's DDL (decisions 6) becomes a spec that imports the
// guide's table, filled through the official SDK; to-ddl gives the statement back; a typo in a
// type is exit 2 at its line; `spec check` judges a spec offline; `spec init --from-table` writes
// a spec that imports a table exactly. The SDK's reading of the table and DuckDB's reading of the
// imported file are the oracles.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import {
  Long, startEmulator, makeClient, createTable, bulkPut, runTsbridge, describeRun, openDuck,
  tempDir, writeSpec, guideSpec, readOrders, loadOrders, readTable, sqlString, doubleBits,
  ORDERS_TABLE,
} from './lib.mjs';

// The instance of the guide's LOCATION: the emulator serves it like any other.
const GUIDE_INSTANCE = 'odps-ots-dev';
const LOCATION = 'tablestore://odps-ots-dev.cn-shanghai.ots-internal.aliyuncs.com';

// Decisions 6, verbatim: the guide's DDL with what its copy lost filled in.
const GUIDE_DDL = `DROP TABLE IF EXISTS ots_table_external;
CREATE EXTERNAL TABLE IF NOT EXISTS ots_table_external
(
odps_orderkey bigint,
odps_orderdate string,
odps_custkey bigint,
odps_orderstatus string,
odps_totalprice double
)
STORED BY 'com.aliyun.odps.TableStoreStorageHandler'
WITH SERDEPROPERTIES (
'tablestore.columns.mapping'=':o_orderkey,:o_orderdate,o_custkey, o_orderstatus,o_totalprice',
'tablestore.table.name'='ots_tpch_orders',
'odps.properties.rolearn'='acs:ram::xxxxx:role/aliyunodpsdefaultrole'
)
LOCATION '${LOCATION}';
`;
const ARN = 'acs:ram::1234567890123456:role/aliyunodpsdefaultrole';

const GUIDE_COLUMNS = [
  { name: 'odps_orderkey', type: 'bigint' },
  { name: 'odps_orderdate', type: 'string' },
  { name: 'odps_custkey', type: 'bigint' },
  { name: 'odps_orderstatus', type: 'string' },
  { name: 'odps_totalprice', type: 'double' },
];
const GUIDE_MAPPING = ':o_orderkey,:o_orderdate,o_custkey,o_orderstatus,o_totalprice';

let emu;
let sdk;
let duck;
let tmp;

before(async () => {
  tmp = tempDir('tsb-spec-ddl-');
  emu = await startEmulator();
  sdk = makeClient(emu.endpoint, { instance: GUIDE_INSTANCE });
  duck = await openDuck();
  await loadOrders(sdk, await readOrders(duck, { limit: 3000 }));
});

after(async () => {
  duck?.close();
  if (emu) await emu.stop();
  tmp?.cleanup();
});

async function ok(args) {
  const r = await runTsbridge(args);
  assert.equal(r.code, 0, `${args.join(' ')}: ${describeRun(r)}`);
  return r;
}

// Every row of `table` through the SDK, in key order, as [key..., attribute...] values in the
// order of `columns` ([tablestore name, 'double' | 'binary' | other]); a missing attribute is null.
async function sdkRows(table, keyNames, columns) {
  const rows = [...(await readTable(sdk, table, keyNames)).values()];
  return rows.map(({ pk, attrs }) => columns.map(([name, kind], i) => {
    const v = i < keyNames.length ? pk[i] : attrs[name];
    if (v === undefined || v === null) return null;
    return kind === 'double' ? doubleBits(v) : String(v);
  }));
}

// The imported Parquet file as DuckDB reads it, in the same form as sdkRows.
async function fileRows(file, columns) {
  const select = columns.map(([name, kind]) => (kind === 'binary' ? `base64("${name}")` : `"${name}"`));
  const rows = await duck.rows(`SELECT ${select.join(', ')} FROM read_parquet(${sqlString(file)})`);
  return rows.map((r) => r.map((v, i) => {
    if (v === null) return null;
    return columns[i][1] === 'double' ? doubleBits(v) : String(v);
  }));
}

test("the guide's DDL converts to a spec that imports the guide's table", async () => {
  const ddl = tmp.file('guide.sql');
  writeFileSync(ddl, GUIDE_DDL);
  // The guide's role ARN has a placeholder account: named at its line and column.
  const refused = await runTsbridge(['spec', 'from-ddl', ddl]);
  assert.equal(refused.code, 2, describeRun(refused));
  assert.match(refused.stderr, new RegExp(`${ddl}:14:27: 'odps.properties.rolearn': "acs:ram::xxxxx:role/aliyunodpsdefaultrole" is not a RAM role ARN`));
  assert.equal(refused.stdout.length, 0);

  const spec = tmp.file('guide.json');
  await ok(['spec', 'from-ddl', ddl, '--without-role', '--output', spec]);
  assert.deepEqual(JSON.parse(readFileSync(spec, 'utf8')), {
    tablestore: { location: LOCATION, table: ORDERS_TABLE },
    columns: GUIDE_COLUMNS,
    mapping: GUIDE_MAPPING,
  });
  await ok(['spec', 'check', spec]);

  const out = tmp.file('guide.parquet');
  await ok(['import', '--spec', spec, '--endpoint', emu.endpoint, '--output', out]);
  const columns = [['o_orderkey'], ['o_orderdate'], ['o_custkey'], ['o_orderstatus'], ['o_totalprice', 'double']];
  const want = await sdkRows(ORDERS_TABLE, ['o_orderkey', 'o_orderdate'], columns);
  assert.equal(want.length, 3000);
  const got = await fileRows(out, GUIDE_COLUMNS.map((c, i) => [c.name, columns[i][1]]));
  assert.deepEqual(got, want);
});

// The guide's access model: the DDL's role ARN (its account filled in) assumed through STS by a
// RAM user of the account, on an emulator whose config holds the guide's instance and role.
test("the guide's DDL, its account filled in, imports through its role", async () => {
  const account = '1234567890123456';
  const root = { id: 'guideRootKeyId', secret: 'guide-root-secret-0123456789' };
  const user = { id: 'guideUserKeyId', secret: 'guide-user-secret-0123456789' };
  const config = tmp.file('guide-emulator.json');
  writeFileSync(config, JSON.stringify({
    region: 'cn-shanghai',
    accounts: [{
      id: account, access_keys: [root], instances: [GUIDE_INSTANCE],
      users: [{ name: 'etl', access_keys: [user], policies: ['AliyunSTSAssumeRoleAccess'] }],
      roles: [{
        name: 'aliyunodpsdefaultrole',
        trust_policy: { Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${account}:root`] } }] },
        policies: ['AliyunOTSReadOnlyAccess'],
      }],
    }],
  }));
  const guarded = await startEmulator({ args: ['--config', config], keys: false });
  try {
    const owner = makeClient(guarded.endpoint, { instance: GUIDE_INSTANCE, id: root.id, secret: root.secret });
    await loadOrders(owner, await readOrders(duck, { limit: 3000 }));
    const ddl = tmp.file('guide-account.sql');
    writeFileSync(ddl, GUIDE_DDL.replace('xxxxx', account));
    const spec = tmp.file('guide-role.json');
    await ok(['spec', 'from-ddl', ddl, '--output', spec]);
    assert.equal(JSON.parse(readFileSync(spec, 'utf8')).tablestore.role_arn,
      `acs:ram::${account}:role/aliyunodpsdefaultrole`);
    const out = tmp.file('guide-role.parquet');
    const asUser = { id: user.id, secret: user.secret, env: { TSBRIDGE_STS_ENDPOINT: guarded.endpoint } };
    const r = await runTsbridge(['import', '--spec', spec, '--endpoint', guarded.endpoint, '--output', out], asUser);
    assert.equal(r.code, 0, describeRun(r));
    const columns = [['o_orderkey'], ['o_orderdate'], ['o_custkey'], ['o_orderstatus'], ['o_totalprice', 'double']];
    const want = await sdkRows(ORDERS_TABLE, ['o_orderkey', 'o_orderdate'], columns);
    assert.equal(want.length, 3000);
    assert.deepEqual(await fileRows(out, GUIDE_COLUMNS.map((c, i) => [c.name, columns[i][1]])), want);
    // The role reads and nothing more: an export through it is refused before a row moves.
    const input = tmp.file('guide-role.csv');
    writeFileSync(input, 'odps_orderkey,odps_orderdate,odps_custkey,odps_orderstatus,odps_totalprice\n1,1996-01-02,7,O,1.5\n');
    const refused = await runTsbridge(['export', '--spec', spec, '--endpoint', guarded.endpoint, '--input', input], asUser);
    assert.equal(refused.code, 4, describeRun(refused));
    assert.match(refused.stderr, /ots:BatchWriteRow/);
    for (const text of [r.stdout.toString(), r.stderr, refused.stderr]) {
      assert.equal(text.includes(user.secret) || text.includes(root.secret), false);
    }
  } finally {
    await guarded.stop();
  }
});

test('to-ddl of the converted spec gives back the statement, and from-ddl of that the spec', async () => {
  const ddl = tmp.file('guide-account.sql');
  writeFileSync(ddl, GUIDE_DDL.replace('xxxxx', '1234567890123456'));
  const spec = tmp.file('guide-role.json');
  await ok(['spec', 'from-ddl', ddl, '--output', spec]);
  const specText = readFileSync(spec, 'utf8');
  assert.deepEqual(JSON.parse(specText).tablestore, { location: LOCATION, table: ORDERS_TABLE, role_arn: ARN });

  const back = await ok(['spec', 'to-ddl', spec, '--name', 'ots_table_external']);
  assert.equal(back.stdout.toString(), `CREATE EXTERNAL TABLE IF NOT EXISTS ots_table_external
(
odps_orderkey bigint,
odps_orderdate string,
odps_custkey bigint,
odps_orderstatus string,
odps_totalprice double
)
STORED BY 'com.aliyun.odps.TableStoreStorageHandler'
WITH SERDEPROPERTIES (
'tablestore.columns.mapping'='${GUIDE_MAPPING}',
'tablestore.table.name'='ots_tpch_orders',
'odps.properties.rolearn'='${ARN}'
)
LOCATION '${LOCATION}';
`);
  const again = await runTsbridge(['spec', 'from-ddl', '-'], { input: back.stdout });
  assert.equal(again.code, 0, describeRun(again));
  assert.equal(again.stdout.toString(), specText);
});

test('a typo in a type on line 4 is exit 2 naming the line and the column', async () => {
  const ddl = tmp.file('typo.sql');
  writeFileSync(ddl, GUIDE_DDL.replace('odps_orderkey bigint', 'odps_orderkey bigintt'));
  const out = tmp.file('typo.json');
  const r = await runTsbridge(['spec', 'from-ddl', ddl, '--without-role', '--output', out]);
  assert.equal(r.code, 2, describeRun(r));
  assert.equal(r.stderr.trim(),
    `tsbridge spec from-ddl: ${ddl}:4:15: column "odps_orderkey": unknown type "bigintt"; expected one of ` +
    'bigint, int, smallint, tinyint, double, float, boolean, string, binary, decimal(p,s), date, datetime, timestamp');
  assert.equal(existsSync(out), false);
});

test('spec check: ok with a one-line summary, or exit 2 with the JSON path', async () => {
  const good = writeSpec(tmp.file('check.json'), guideSpec('http://127.0.0.1:8800', { file: { path: 'o.csv' } }));
  const r = await ok(['spec', 'check', good]);
  assert.equal(r.stdout.toString(),
    `ok: ${good}: table ots_tpch_orders in instance e2e at http://127.0.0.1:8800; 5 columns ` +
    '(2 primary key, 3 attributes); file o.csv (csv)\n');
  const bad = writeSpec(tmp.file('bad.json'), guideSpec('http://127.0.0.1:8800', {
    columns: [...GUIDE_COLUMNS.slice(0, 2), { name: 'odps_custkey', type: 'bigin' }, ...GUIDE_COLUMNS.slice(3)],
  }));
  const refused = await runTsbridge(['spec', 'check', bad]);
  assert.equal(refused.code, 2, describeRun(refused));
  assert.match(refused.stderr, /columns\[2\]\.type: unknown type "bigin"; expected one of bigint/);
  assert.equal(refused.stdout.length, 0);
});

test('spec init --from-table writes a spec that imports the table exactly', async () => {
  const table = 'init_every_kind';
  await createTable(sdk, table, [{ name: 'region', type: 'STRING' }, { name: 'id', type: 'INTEGER' }, { name: 'tag', type: 'BINARY' }]);
  const rows = [];
  for (let i = 0; i < 40; i++) {
    const attributeColumns = [];
    // Not every row carries every attribute: a row's missing ones read as NULL.
    if (i % 3 !== 0) attributeColumns.push({ amount: Long.fromNumber(i * 1000 - 7) });
    if (i % 4 !== 1) attributeColumns.push({ price: i + 0.25 });
    if (i % 2 === 0) attributeColumns.push({ paid: i % 5 === 0 });
    attributeColumns.push({ note: `n${i} ü` });
    if (i % 7 === 3) attributeColumns.push({ blob: Buffer.from([i, 0, 255]) });
    rows.push({
      primaryKey: [{ region: `r${i % 3}` }, { id: Long.fromNumber(i) }, { tag: Buffer.from([i % 2]) }],
      attributeColumns,
    });
  }
  await bulkPut(sdk, table, rows);

  const spec = tmp.file('init.json');
  const r = await ok(['spec', 'init', '--table', table, '--instance', GUIDE_INSTANCE, '--endpoint', emu.endpoint,
    '--from-table', '--output', spec]);
  assert.match(r.stderr, /sampled 40 rows/);
  const written = JSON.parse(readFileSync(spec, 'utf8'));
  assert.deepEqual(written, {
    tablestore: { endpoint: emu.endpoint, instance: GUIDE_INSTANCE, table },
    columns: [
      { name: 'region', type: 'string' }, { name: 'id', type: 'bigint' }, { name: 'tag', type: 'binary' },
      // The attributes in name order.
      { name: 'amount', type: 'bigint' }, { name: 'blob', type: 'binary' }, { name: 'note', type: 'string' },
      { name: 'paid', type: 'boolean' }, { name: 'price', type: 'double' },
    ],
    mapping: ':region,:id,:tag,amount,blob,note,paid,price',
    file: { path: `${table}.parquet` },
  });
  // A second init never replaces the spec.
  const again = await runTsbridge(['spec', 'init', '--table', table, '--output', spec]);
  assert.equal(again.code, 2, describeRun(again));
  assert.match(again.stderr, /the file exists/);

  const out = tmp.file('init.parquet');
  await ok(['import', '--spec', spec, '--output', out]);
  const columns = [['region'], ['id'], ['tag', 'binary'], ['amount'], ['blob', 'binary'], ['note'], ['paid'], ['price', 'double']];
  const want = await sdkRows(table, ['region', 'id', 'tag'], columns);
  assert.equal(want.length, 40);
  assert.deepEqual(await fileRows(out, columns), want);
});

test("spec init --from-table on the guide's table imports every attribute the rows carry", async () => {
  const spec = tmp.file('init-orders.json');
  await ok(['spec', 'init', '--table', ORDERS_TABLE, '--instance', GUIDE_INSTANCE, '--endpoint', emu.endpoint,
    '--from-table', '--output', spec]);
  const written = JSON.parse(readFileSync(spec, 'utf8'));
  assert.equal(written.mapping, ':o_orderkey,:o_orderdate,o_comment,o_custkey,o_orderstatus,o_totalprice');
  const out = tmp.file('init-orders.parquet');
  await ok(['import', '--spec', spec, '--output', out]);
  const columns = [['o_orderkey'], ['o_orderdate'], ['o_comment'], ['o_custkey'], ['o_orderstatus'], ['o_totalprice', 'double']];
  const want = await sdkRows(ORDERS_TABLE, ['o_orderkey', 'o_orderdate'], columns);
  assert.deepEqual(await fileRows(out, columns), want);
});

test('spec init without --from-table writes a starter that spec check accepts', async () => {
  const r = await ok(['spec', 'init', '--table', 'orders', '--endpoint', 'http://127.0.0.1:8800', '--instance', 'demo']);
  const spec = writeSpec(tmp.file('starter.json'), JSON.parse(r.stdout.toString()));
  assert.deepEqual(JSON.parse(readFileSync(spec, 'utf8')), {
    tablestore: { endpoint: 'http://127.0.0.1:8800', instance: 'demo', table: 'orders' },
    columns: [{ name: 'id', type: 'string' }],
    mapping: ':id',
    file: { path: 'orders.parquet' },
  });
  await ok(['spec', 'check', spec]);
  const bad = await runTsbridge(['spec', 'init', '--table', '9bad']);
  assert.equal(bad.code, 2, describeRun(bad));
  assert.match(bad.stderr, /--table: "9bad" is not a Tablestore table name/);
});

test('spec subcommands: an unknown flag names the nested subcommand; a refused key leaks no secret', async () => {
  const typo = await runTsbridge(['spec', 'from-ddl', 'x.sql', '--outptu', 'y.json']);
  assert.equal(typo.code, 2, describeRun(typo));
  assert.match(typo.stderr, /^tsbridge spec from-ddl: unknown flag --outptu; did you mean `--output`\?/);
  const none = await runTsbridge(['spec']);
  assert.equal(none.code, 2, describeRun(none));

  const secret = 'not-the-emulators-secret-5c1e';
  const refused = await runTsbridge(['spec', 'init', '--table', ORDERS_TABLE, '--instance', GUIDE_INSTANCE,
    '--endpoint', emu.endpoint, '--from-table'], { secret });
  assert.equal(refused.code, 4, describeRun(refused));
  assert.equal(refused.stdout.length, 0);
  assert.ok(!refused.stderr.includes(secret), refused.stderr);
});
