// The import issue's "Done when", end to end: the guide's table `ots_tpch_orders` holds the
// corpus's 100k TPC-H-shaped orders, loaded through the official Node.js SDK; `tsbridge import`
// reads it with the guide's mapping and --where, and DuckDB is the oracle for every file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import {
  TableStore, Long, startEmulator, makeClient, bulkPut, runTsbridge, describeRun, openDuck,
  tempDir, writeSpec, guideSpec, readOrders, loadOrders, computeSplits, scanRange, sqlString, canonicalRow,
  ORDERS_PARQUET, ORDERS_TABLE, GUIDE_COLUMNS, GUIDE_WHERE, INSTANCE,
} from './lib.mjs';

let emu;
let client;
let duck;
let tmp;
let spec;  // the guide's spec file
let orders;

const DUCK_TYPES = "{'odps_orderkey': 'BIGINT', 'odps_orderdate': 'VARCHAR', 'odps_custkey': 'BIGINT', " +
  "'odps_orderstatus': 'VARCHAR', 'odps_totalprice': 'DOUBLE'}";
const COLUMN_LIST = 'odps_orderkey, odps_orderdate, odps_custkey, odps_orderstatus, odps_totalprice';
const DOUBLE_COLUMNS = new Set([4]);

// DuckDB's reading of one of our files (or a glob of them).
function readerFor(format, file) {
  const f = sqlString(file);
  switch (format) {
    case 'parquet': return `read_parquet(${f})`;
    case 'csv': return `read_csv(${f}, header=true, auto_detect=false, delim=',', quote='"', escape='"', ` +
      `columns=${DUCK_TYPES}, strict_mode=true, allow_quoted_nulls=false)`;
    case 'jsonl': return `read_json(${f}, format='newline_delimited', columns=${DUCK_TYPES})`;
    default: throw new Error(format);
  }
}

async function fileRows(format, file) {
  return (await duck.rows(`SELECT ${COLUMN_LIST} FROM ${readerFor(format, file)}`))
    .map((r) => canonicalRow(r, DOUBLE_COLUMNS));
}

// The source rows (in primary-key order) that `where` selects, as DuckDB reads the corpus.
async function sourceRows(where) {
  return (await duck.rows(`SELECT ${COLUMN_LIST} FROM src ${where ? `WHERE ${where}` : ''}
                            ORDER BY odps_orderkey, odps_orderdate`)).map((r) => canonicalRow(r, DOUBLE_COLUMNS));
}

function assertSameRows(got, want, what) {
  assert.equal(got.length, want.length, `${what}: row count`);
  for (let i = 0; i < want.length; i++) {
    if (JSON.stringify(got[i]) !== JSON.stringify(want[i])) {
      assert.fail(`${what}: row ${i}: got ${JSON.stringify(got[i])}, expected ${JSON.stringify(want[i])}`);
    }
  }
}

async function importOk(args, what = args.join(' ')) {
  const r = await runTsbridge(['import', ...args]);
  assert.equal(r.code, 0, `${what}: ${describeRun(r)}`);
  return r;
}

before(async () => {
  tmp = tempDir('tsb-import-guide-');
  emu = await startEmulator();
  client = makeClient(emu.endpoint, { instance: INSTANCE });
  duck = await openDuck();
  await duck.run(`CREATE VIEW src AS SELECT o_orderkey AS odps_orderkey, o_orderdate_str AS odps_orderdate,
                    o_custkey AS odps_custkey, o_orderstatus AS odps_orderstatus, o_totalprice AS odps_totalprice
                  FROM read_parquet(${sqlString(ORDERS_PARQUET)})`);
  orders = await readOrders(duck);
  await loadOrders(client, orders);
  spec = writeSpec(tmp.file('orders.json'), guideSpec(emu.endpoint));
});

after(async () => {
  duck?.close();
  if (emu) await emu.stop();
  tmp?.cleanup();
});

test('the guide\'s --where gives exactly DuckDB\'s rows in Parquet, CSV and JSONL, and the same aggregate', async () => {
  const want = await sourceRows(GUIDE_WHERE);
  assert.ok(want.length > 10, `the predicate selects ${want.length} source rows`);
  const aggregate = (from) => `SELECT odps_orderkey, odps_orderdate, SUM(odps_totalprice) AS sum_total FROM ${from}
      WHERE ${GUIDE_WHERE} GROUP BY odps_orderkey, odps_orderdate HAVING sum_total > 400000.0
      ORDER BY odps_orderkey, odps_orderdate`;
  const wantAggregate = (await duck.rows(aggregate('src'))).map((r) => canonicalRow(r, new Set([2])));
  assert.ok(wantAggregate.length > 0, 'the guide\'s aggregate selects some groups');

  for (const format of ['parquet', 'csv', 'jsonl']) {
    const out = tmp.file(`guide.${format}`);
    const r = await importOk(['--spec', spec, '--where', GUIDE_WHERE, '--output', out]);
    assert.match(r.stderr, /^import: \d+ rows read, \d+ written/m, 'one-line summary on stderr');
    assert.equal(r.stdout.length, 0, 'nothing on stdout');
    assertSameRows(await fileRows(format, out), want, format);
    const gotAggregate = (await duck.rows(aggregate(readerFor(format, out)))).map((r) => canonicalRow(r, new Set([2])));
    assertSameRows(gotAggregate, wantAggregate, `${format} aggregate`);
    if (format === 'jsonl') {
      // 64-bit integers as bare JSON numbers with their exact digits.
      const first = readFileSync(out, 'utf8').split('\n')[0];
      assert.match(first, new RegExp(`^\\{"odps_orderkey":${want[0][0]},"odps_orderdate":"${want[0][1]}","odps_custkey":${want[0][2]},`));
    }
    if (format === 'csv') {
      const header = readFileSync(out, 'utf8').split('\n')[0];
      assert.equal(header, COLUMN_LIST.replaceAll(' ', ''));
    }
  }
});

test('pushdown: the guide\'s import costs what scanning only its key range costs, far below a full scan', async (t) => {
  const summaryFile = tmp.file('pushdown.summary.json');
  await importOk(['--spec', spec, '--where', GUIDE_WHERE, '--output', tmp.file('pushdown.csv'), '--summary', summaryFile]);
  const summary = JSON.parse(readFileSync(summaryFile, 'utf8'));

  const columnsToGet = ['o_custkey', 'o_orderstatus', 'o_totalprice'];
  const split = await computeSplits(emu.endpoint, ORDERS_TABLE);
  const range = await scanRange(client, ORDERS_TABLE,
    [{ o_orderkey: Long.fromNumber(5001) }, { o_orderdate: TableStore.INF_MIN }],
    [{ o_orderkey: Long.fromNumber(7000) }, { o_orderdate: TableStore.INF_MIN }], { columnsToGet });
  const expected = range.readCU + split.readCU;
  const full = await scanRange(client, ORDERS_TABLE,
    [{ o_orderkey: TableStore.INF_MIN }, { o_orderdate: TableStore.INF_MIN }],
    [{ o_orderkey: TableStore.INF_MAX }, { o_orderdate: TableStore.INF_MAX }], { columnsToGet });
  const detail = `import read_cu ${summary.read_cu}, key range ${range.readCU} + split ${split.readCU} = ${expected}, ` +
    `full scan ${full.readCU}`;
  t.diagnostic(detail);
  assert.equal(summary.rows_read, range.rows, `rows read = rows in the key range (${detail})`);
  assert.ok(Math.abs(summary.read_cu - expected) <= 0.1 * expected, `within 10%: ${detail}`);
  assert.ok(summary.read_cu * 20 < full.readCU, `far below a full scan: ${detail}`);
});

test('--parallel 4 gives a byte-identical CSV to --parallel 1, from several splits; DIR/ parts hold the same rows', async (t) => {
  const one = tmp.file('full1.csv');
  const four = tmp.file('full4.csv');
  await importOk(['--spec', spec, '--output', one, '--parallel', '1']);
  const summaryFile = tmp.file('full4.summary.json');
  await importOk(['--spec', spec, '--output', four, '--parallel', '4', '--summary', summaryFile]);
  const summary = JSON.parse(readFileSync(summaryFile, 'utf8'));
  t.diagnostic(`--parallel 4: ${summary.splits} splits, ${summary.read_cu} read CU, ${summary.seconds} s`);
  assert.ok(summary.splits > 1, `--parallel 4 on the whole table ran ${summary.splits} splits`);
  assert.equal(summary.rows_written, orders.length);
  assert.ok(readFileSync(one).equals(readFileSync(four)), '--parallel 1 and 4 give the same bytes');
  assertSameRows(await fileRows('csv', four), await sourceRows(''), 'full table');

  const dir = tmp.file('parts') + '/';
  const dirSummary = tmp.file('parts.summary.json');
  await importOk(['--spec', spec, '--output', dir, '--parallel', '4', '--format', 'csv', '--summary', dirSummary]);
  const parts = readdirSync(dir).filter((n) => n.endsWith('.csv')).sort();
  const partsSummary = JSON.parse(readFileSync(dirSummary, 'utf8'));
  assert.equal(parts.length, partsSummary.splits, `one part per split: ${parts}`);
  assert.ok(parts.length > 1, `several parts: ${parts}`);
  assert.ok(!existsSync(dir + '_rejects.jsonl'), 'no reject file without rejects');
  const union = readerFor('csv', dir + 'part-*.csv');
  const whole = readerFor('csv', four);
  assert.equal(Number(await duck.scalar(`SELECT count(*) FROM ${union}`)), orders.length);
  assert.equal(Number(await duck.scalar(`SELECT count(*) FROM (SELECT * FROM ${union} EXCEPT ALL SELECT * FROM ${whole})`)), 0);
  assert.equal(Number(await duck.scalar(`SELECT count(*) FROM (SELECT * FROM ${whole} EXCEPT ALL SELECT * FROM ${union})`)), 0);
});

test('--shard 1/2 and --shard 2/2 together give exactly the full table', async () => {
  const full = tmp.file('shard_full.csv');
  await importOk(['--spec', spec, '--output', full, '--parallel', '1']);
  const outputs = [];
  const fingerprints = [];
  for (const k of [1, 2]) {
    const out = tmp.file(`shard${k}.csv`);
    const summaryFile = tmp.file(`shard${k}.summary.json`);
    await importOk(['--spec', spec, '--output', out, '--shard', `${k}/2`, '--summary', summaryFile]);
    fingerprints.push(JSON.parse(readFileSync(summaryFile, 'utf8')).split_fingerprint);
    outputs.push(readFileSync(out, 'utf8'));
  }
  assert.ok(fingerprints[0] && fingerprints[0] === fingerprints[1], `both hosts see the same splits: ${fingerprints}`);
  // Shares are contiguous blocks of splits in key order: share 1's rows then share 2's are the table.
  const [header, ...rows1] = outputs[0].split('\n').filter((l) => l.length);
  const [header2, ...rows2] = outputs[1].split('\n').filter((l) => l.length);
  assert.equal(header, header2);
  const wholeLines = readFileSync(full, 'utf8').split('\n').filter((l) => l.length);
  assert.equal(rows1.length + rows2.length, orders.length);
  assert.deepEqual([header, ...rows1, ...rows2], wholeLines);
});

test('errors: a clear message, the right exit code, nothing written', async (t) => {
  const cases = [
    {
      name: 'a mapping missing a primary-key column',
      spec: guideSpec(emu.endpoint, {
        mapping: ':o_orderkey,o_custkey,o_orderstatus,o_totalprice',
        columns: GUIDE_COLUMNS.filter((c) => c.name !== 'odps_orderdate'),
      }),
      code: 2, message: /primary-key column "o_orderdate".*not mapped/,
    },
    {
      name: 'primary-key columns out of order',
      spec: guideSpec(emu.endpoint, {
        mapping: ':o_orderdate,:o_orderkey,o_custkey,o_orderstatus,o_totalprice',
        columns: [GUIDE_COLUMNS[1], GUIDE_COLUMNS[0], ...GUIDE_COLUMNS.slice(2)],
      }),
      code: 2, message: /order/,
    },
    {
      name: 'an unknown table',
      spec: guideSpec(emu.endpoint, { tablestore: { table: 'no_such_table' } }),
      code: 2, message: /"no_such_table" does not exist.*OTSObjectNotExist.*request id/,
    },
    {
      name: 'an unknown column in --where', where: 'odps_nope > 1',
      code: 2, message: /unknown column "odps_nope"/,
    },
    {
      name: 'a wrong secret', secret: 'not-the-secret',
      code: 4, message: /OTSAuthFailed.*request id/,
    },
    {
      // Without --config the emulator has no roles: STS refuses, before any row is read.
      name: 'a role_arn the emulator does not know',
      spec: guideSpec(emu.endpoint, { tablestore: { role_arn: 'acs:ram::1234567890123456:role/aliyunodpsdefaultrole', sts_endpoint: emu.endpoint } }),
      code: 4, message: /AssumeRole of acs:ram::1234567890123456:role\/aliyunodpsdefaultrole/,
    },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => {
      const specFile = c.spec ? writeSpec(tmp.file(`err-${c.code}-${c.name.replaceAll(/\W+/g, '_')}.json`), c.spec) : spec;
      const out = tmp.file(`err-${c.name.replaceAll(/\W+/g, '_')}.csv`);
      const args = ['import', '--spec', specFile, '--output', out];
      if (c.where) args.push('--where', c.where);
      const r = await runTsbridge(args, c.secret ? { secret: c.secret } : {});
      assert.equal(r.code, c.code, describeRun(r));
      assert.match(r.stderr, c.message);
      assert.match(r.stderr, /^tsbridge import: /m);
      assert.ok(!r.stderr.includes('not-the-secret'), 'the secret never appears');
      assert.ok(!existsSync(out), `${out} must not exist`);
      assert.ok(!existsSync(out.replace(/\.csv$/, '.rejects.jsonl')), 'no reject file');
    });
  }

  await t.test('a stored value that does not fit its declared type goes to the reject file (exit 3)', async () => {
    const table = 'mixed_orders';
    const some = orders.slice(0, 1000);
    await loadOrders(client, some, { table });
    // Five rows whose o_custkey is stored as a STRING where the spec says bigint.
    const bad = [3, 100, 101, 500, 999].map((i) => some[i]);
    await bulkPut(client, table, bad.map((o) => ({
      primaryKey: [{ o_orderkey: Long.fromString(String(o.o_orderkey)) }, { o_orderdate: o.o_orderdate }],
      attributeColumns: [{ o_custkey: `cust-${o.o_custkey}` }, { o_orderstatus: o.o_orderstatus }, { o_totalprice: o.o_totalprice }],
    })));
    const specFile = writeSpec(tmp.file('mixed.json'), guideSpec(emu.endpoint, { tablestore: { table } }));
    const out = tmp.file('mixed.csv');
    const r = await runTsbridge(['import', '--spec', specFile, '--output', out]);
    assert.equal(r.code, 3, describeRun(r));
    assert.match(r.stderr, /1000 rows read, 995 written, 5 rejected/);
    const written = await fileRows('csv', out);
    assert.equal(written.length, 995);
    const rejects = readFileSync(tmp.file('mixed.rejects.jsonl'), 'utf8').split('\n').filter((l) => l).map((l) => JSON.parse(l));
    assert.deepEqual(rejects.map((x) => [x.primary_key.o_orderkey, x.primary_key.o_orderdate]),
      bad.map((o) => [Number(o.o_orderkey), o.o_orderdate]));
    for (const x of rejects) {
      assert.deepEqual(Object.keys(x), ['primary_key', 'column', 'stored_type', 'expected_type', 'reason']);
      assert.equal(x.column, 'odps_custkey');
      assert.equal(x.stored_type, 'STRING');
      assert.equal(x.expected_type, 'bigint');
      assert.ok(x.reason.length > 0);
    }
  });
});
