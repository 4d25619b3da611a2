// tsbridge as a role (issue 16): import and export through the spec's role_arn, STS refusals and
// bad tokens as exit 4 before any row moves, the policies `auth policy` prints loaded into the
// emulator's config, `auth check`, `auth assume-role --export-env` sourced by a shell, renewal of
// short-lived credentials, and no secret or token in anything tsbridge printed.
//
// One emulator with a config of two accounts: A owns the instance, a RAM user (alice) and the
// roles; B has a user (carol) that assumes A's `cross` role through a cross-account trust policy.
// Keys reach tsbridge by environment only; the official SDK checks the table.

import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import {
  BIN, TableStore, Long, startEmulator, call, createTable, tempDir, writeSpec, runTsbridge,
  describeRun, readTable,
} from './lib.mjs';
import { IGNORE } from '../conformance/lib.mjs';

const A = '1111111111111111';
const B = '2222222222222222';
const ROOT_A = { id: 'rootAKeyId', secret: 'rootA-secret-e2e-0123456789' };
const ALICE = { id: 'aliceKeyId', secret: 'alice-secret-e2e-0123456789' };
const CAROL = { id: 'carolKeyId', secret: 'carol-secret-e2e-0123456789' };
const INSTANCE = 'authdemo';
const TABLE = 'orders';
const REGION = 'cn-shanghai';
const ROWS = 200;

const roleArn = (name) => `acs:ram::${A}:role/${name}`;
const trust = (...principals) => ({
  Version: '1',
  Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: principals } }],
});

// Everything tsbridge printed (stdout, stderr, summaries, reject files), grepped at the end.
const printed = [];
const needles = [ROOT_A.secret, ALICE.secret, CAROL.secret];

async function run(args, opts = {}) {
  const r = await runTsbridge(args, opts);
  if (!opts.secretsExpected) printed.push({ what: args.join(' '), text: r.stdout.toString() + r.stderr });
  return r;
}

// The spec of the job (the endpoint and STS endpoint come from the environment, as in CI).
function jobSpec(dir, name, role) {
  return writeSpec(path.join(dir, `${name}.json`), {
    tablestore: {
      endpoint: 'https://authdemo.cn-shanghai.ots.aliyuncs.com', instance: INSTANCE, table: TABLE,
      region: REGION, ...(role ? { role_arn: roleArn(role) } : {}),
    },
    columns: [{ name: 'k', type: 'bigint' }, { name: 'v', type: 'string' }],
    mapping: ':k,v',
  });
}

function sdk(endpoint, key, token) {
  return new TableStore.Client({
    accessKeyId: key.id, secretAccessKey: key.secret, stsToken: token, endpoint,
    instancename: INSTANCE, maxRetries: 0,
  });
}

async function tableRows(client) {
  return [...(await readTable(client, TABLE, ['k'])).values()].map((r) => `${r.pk[0]},${r.attrs.v}`);
}

function csvRows(file) {
  return readFileSync(file, 'utf8').trim().split('\n').slice(1);
}

// `export X='...'` lines of `auth assume-role --export-env`.
function parseExports(text) {
  const env = {};
  for (const m of text.matchAll(/^export (\w+)='((?:[^']|'\\'')*)'$/gm)) env[m[1]] = m[2].replaceAll("'\\''", "'");
  return env;
}

test('tsbridge through RAM roles on the emulator', async (t) => {
  const tmp = tempDir('tsb-auth-');
  t.after(() => tmp.cleanup());
  const { dir, file } = tmp;
  const readerSpec = jobSpec(dir, 'reader', 'reader');
  const writerSpec = jobSpec(dir, 'writer', 'writer');

  // The policies the config holds for reader and writer are the ones `auth policy` prints.
  const readPolicy = await run(['auth', 'policy', '--spec', readerSpec, '--read-only']);
  assert.equal(readPolicy.code, 0, describeRun(readPolicy));
  const writePolicy = await run(['auth', 'policy', '--spec', writerSpec]);
  assert.equal(writePolicy.code, 0, describeRun(writePolicy));
  const read = JSON.parse(readPolicy.stdout);
  const write = JSON.parse(writePolicy.stdout);
  assert.deepEqual(read.trust_policy, trust(`acs:ram::${A}:root`));
  assert.deepEqual(read.permission_policy.Statement[0].Action,
    ['ots:DescribeTable', 'ots:ComputeSplitPointsBySize', 'ots:GetRange']);
  assert.deepEqual(read.permission_policy.Statement[0].Resource,
    [`acs:ots:${REGION}:${A}:instance/${INSTANCE}`, `acs:ots:${REGION}:${A}:instance/${INSTANCE}/table/${TABLE}`]);
  assert.deepEqual(write.permission_policy.Statement[0].Action,
    ['ots:DescribeTable', 'ots:ComputeSplitPointsBySize', 'ots:GetRange', 'ots:BatchWriteRow', 'ots:BatchGetRow']);
  const cross = await run(['auth', 'policy', '--spec', readerSpec, '--read-only', '--cross-account', B]);
  assert.deepEqual(JSON.parse(cross.stdout).trust_policy, trust(`acs:ram::${B}:root`));

  const config = {
    region: REGION,
    sts: { min_duration_seconds: 1, max_duration_seconds: 3600 },
    accounts: [
      {
        id: A, access_keys: [ROOT_A], instances: [INSTANCE],
        users: [{ name: 'alice', access_keys: [ALICE], policies: ['AliyunSTSAssumeRoleAccess'] }],
        roles: [
          { name: 'reader', trust_policy: read.trust_policy, policies: ['Read'] },
          { name: 'writer', trust_policy: write.trust_policy, policies: ['Write'] },
          { name: 'only-bob', trust_policy: trust(`acs:ram::${A}:user/bob`), policies: ['Read'] },
          { name: 'cross', trust_policy: JSON.parse(cross.stdout).trust_policy, policies: ['Read'] },
        ],
        policies: { Read: read.permission_policy, Write: write.permission_policy },
      },
      { id: B, instances: [], users: [{ name: 'carol', access_keys: [CAROL], policies: ['AliyunSTSAssumeRoleAccess'] }] },
    ],
  };
  const configPath = file('emulator.json');
  writeFileSync(configPath, JSON.stringify(config));
  const emu = await startEmulator({ args: ['--config', configPath], keys: false });
  t.after(() => emu.stop());
  const env = { TSBRIDGE_ENDPOINT: emu.endpoint, TSBRIDGE_STS_ENDPOINT: emu.endpoint };
  const asAlice = { id: ALICE.id, secret: ALICE.secret, env };

  const root = sdk(emu.endpoint, ROOT_A);
  await createTable(root, TABLE, [{ name: 'k', type: 'INTEGER' }]);
  const rows = [];
  for (let k = 0; k < ROWS; k += 1) rows.push({ k, v: `row ${k}` });
  for (let i = 0; i < rows.length; i += 100) {
    await call(root, 'batchWriteRow', {
      tables: [{
        tableName: TABLE,
        rows: rows.slice(i, i + 100).map((r) => ({
          type: 'PUT', condition: IGNORE(), primaryKey: [{ k: Long.fromNumber(r.k) }], attributeColumns: [{ v: r.v }],
        })),
      }],
    });
  }
  const original = await tableRows(root);
  assert.equal(original.length, ROWS);

  const input = file('changes.csv');
  writeFileSync(input, 'k,v\n1,changed 1\n2,changed 2\n500,new 500\n');

  await t.test('an import through the read-only role works', async () => {
    const out = file('reader.csv');
    const summary = file('reader.summary.json');
    const r = await run(['import', '--spec', readerSpec, '--output', out, '--summary', summary], asAlice);
    assert.equal(r.code, 0, describeRun(r));
    assert.deepEqual(csvRows(out), original);
    printed.push({ what: 'reader summary', text: readFileSync(summary, 'utf8') });
  });

  await t.test('describe through the read-only role shows the role ARN and the table', async () => {
    const r = await run(['describe', '--spec', readerSpec, '--json'], asAlice);
    assert.equal(r.code, 0, describeRun(r));
    const report = JSON.parse(r.stdout);
    assert.equal(report.tablestore.role_arn, roleArn('reader'));
    assert.equal(report.tablestore.table, TABLE);
    assert.deepEqual(report.table.primary_key.map((k) => k.name), ['k']);
    assert.equal(report.exit_code, 0);
  });

  await t.test('an export through the read-only role is exit 4 before any row changes, naming the action', async () => {
    const summary = file('reader-export.summary.json');
    const r = await run(['export', '--spec', readerSpec, '--input', input, '--summary', summary], asAlice);
    assert.equal(r.code, 4, describeRun(r));
    assert.match(r.stderr, /ots:BatchWriteRow on acs:ots:cn-shanghai:1111111111111111:instance\/authdemo\/table\/orders, which was refused \(OTSNoPermissionAccess/);
    assert.match(r.stderr, /role acs:ram::1111111111111111:role\/reader \(assumed with the access key from environment\)/);
    assert.deepEqual(await tableRows(root), original);
    const s = JSON.parse(readFileSync(summary, 'utf8'));
    assert.equal(s.status, 'auth');
    assert.equal(s.rows_written, 0);
    printed.push({ what: 'reader export summary', text: JSON.stringify(s) });
    assert.ok(!existsSync(input.replace(/\.csv$/, '.rejects.csv')), 'no reject file');
  });

  await t.test('an export through the writer role works', async () => {
    const r = await run(['export', '--spec', writerSpec, '--input', input], asAlice);
    assert.equal(r.code, 0, describeRun(r));
    const now = await tableRows(root);
    assert.equal(now.length, ROWS + 1);
    assert.ok(now.includes('1,changed 1') && now.includes('2,changed 2') && now.includes('500,new 500'));
  });

  await t.test('a role whose trust policy does not name the caller: exit 4', async () => {
    const spec = jobSpec(dir, 'only-bob', 'only-bob');
    const r = await run(['import', '--spec', spec, '--output', file('bob.csv')], asAlice);
    assert.equal(r.code, 4, describeRun(r));
    assert.match(r.stderr, /AssumeRole of acs:ram::1111111111111111:role\/only-bob .* refused: NoPermission/);
    assert.match(r.stderr, /access key aliceKeyId from environment/);
    assert.ok(!existsSync(file('bob.csv')));
  });

  await t.test('another account assumes a role through a cross-account trust policy', async () => {
    const spec = jobSpec(dir, 'cross', 'cross');
    const out = file('cross.csv');
    const r = await run(['import', '--spec', spec, '--output', out], { id: CAROL.id, secret: CAROL.secret, env });
    assert.equal(r.code, 0, describeRun(r));
    assert.equal(csvRows(out).length, ROWS + 1);
  });

  const noRole = jobSpec(dir, 'norole', null);
  const assumeEnv = async (key, spec, extra = []) => {
    const r = await runTsbridge(['auth', 'assume-role', '--spec', spec, '--export-env', ...extra], { id: key.id, secret: key.secret, env });
    assert.equal(r.code, 0, describeRun(r));
    printed.push({ what: 'assume-role stderr', text: r.stderr });
    const vars = parseExports(r.stdout.toString());
    needles.push(vars.ALIBABA_CLOUD_ACCESS_KEY_SECRET, vars.ALIBABA_CLOUD_SECURITY_TOKEN);
    return vars;
  };

  await t.test('made-up, expired and other-key tokens: exit 4', async () => {
    const madeUp = await run(['import', '--spec', noRole, '--output', file('madeup.csv')],
      { ...asAlice, env: { ...env, ALIBABA_CLOUD_SECURITY_TOKEN: 'made-up-token-0123456789' } });
    assert.equal(madeUp.code, 4, describeRun(madeUp));
    assert.match(madeUp.stderr, /OTSAuthFailed/);
    needles.push('made-up-token-0123456789');

    const short = await assumeEnv(ALICE, readerSpec, ['--duration', '1']);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const expired = await run(['import', '--spec', noRole, '--output', file('expired.csv')], {
      id: short.ALIBABA_CLOUD_ACCESS_KEY_ID, secret: short.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
      env: { ...env, ALIBABA_CLOUD_SECURITY_TOKEN: short.ALIBABA_CLOUD_SECURITY_TOKEN },
    });
    assert.equal(expired.code, 4, describeRun(expired));
    assert.match(expired.stderr, /OTSAuthFailed/);

    const good = await assumeEnv(ALICE, readerSpec);
    const otherKey = await run(['import', '--spec', noRole, '--output', file('otherkey.csv')], {
      ...asAlice, env: { ...env, ALIBABA_CLOUD_SECURITY_TOKEN: good.ALIBABA_CLOUD_SECURITY_TOKEN },
    });
    assert.equal(otherKey.code, 4, describeRun(otherKey));
    assert.match(otherKey.stderr, /OTSAuthFailed/);
    assert.match(otherKey.stderr, /credentials: environment \(access key id aliceKeyId\)/);
  });

  await t.test('the printed policies allow the job and nothing more', async () => {
    const w = await assumeEnv(ALICE, writerSpec);
    const client = sdk(emu.endpoint, { id: w.ALIBABA_CLOUD_ACCESS_KEY_ID, secret: w.ALIBABA_CLOUD_ACCESS_KEY_SECRET }, w.ALIBABA_CLOUD_SECURITY_TOKEN);
    const described = await call(client, 'describeTable', { tableName: TABLE });
    assert.equal(described.tableMeta.tableName, TABLE);
    for (const [op, params] of [
      ['putRow', { tableName: TABLE, condition: IGNORE(), primaryKey: [{ k: Long.fromNumber(9) }], attributeColumns: [{ v: 'x' }] }],
      ['listTable', {}],
      ['deleteTable', { tableName: TABLE }],
    ]) {
      await assert.rejects(call(client, op, params), (e) => /OTSNoPermissionAccess/.test(`${e.code} ${e.message}`), op);
    }
    assert.equal((await tableRows(root)).length, ROWS + 1);
  });

  await t.test('auth check prints the table and exits 0 or 4 as the policies say', async () => {
    const whole = async () => JSON.stringify([...(await readTable(root, TABLE, ['k'])).values()]);
    const before = await whole();
    const reader = await run(['auth', 'check', '--spec', readerSpec], asAlice);
    assert.equal(reader.code, 4, describeRun(reader));
    const lines = reader.stdout.toString().trim().split('\n');
    assert.match(lines[0], /^ACTION\s+RESULT\s+RESOURCE\s+ANSWER$/);
    const results = Object.fromEntries(lines.slice(1).map((l) => l.split(/\s{2,}/).slice(0, 2)));
    assert.deepEqual(results, {
      'ots:DescribeTable': 'allowed', 'ots:ComputeSplitPointsBySize': 'allowed', 'ots:GetRange': 'allowed',
      'ots:BatchWriteRow': 'refused', 'ots:BatchGetRow': 'refused',
    });
    assert.match(reader.stdout.toString(), /ots:BatchWriteRow\s+refused\s+acs:ots:cn-shanghai:1111111111111111:instance\/authdemo\/table\/orders\s+OTSNoPermissionAccess/);
    assert.match(reader.stderr, /tsbridge auth check: .*ots:BatchWriteRow/);
    const readerImport = await run(['auth', 'check', '--spec', readerSpec, '--for', 'import'], asAlice);
    assert.equal(readerImport.code, 0, describeRun(readerImport));
    const writer = await run(['auth', 'check', '--spec', writerSpec], asAlice);
    assert.equal(writer.code, 0, describeRun(writer));
    assert.equal(writer.stdout.toString().match(/ allowed /g).length, 5);
    // Every cell as it was: the export probe's condition failed, so its column was never written.
    assert.equal(await whole(), before, 'the check changed nothing');
  });

  await t.test('auth assume-role --export-env, sourced in a shell, runs an import', async () => {
    const out = file('sourced.csv');
    const script = `eval "$("$TSB" auth assume-role --spec "$SPEC" --export-env)" && "$TSB" import --spec "$SPEC" --output "$OUT"`;
    const r = await new Promise((resolve) => {
      const proc = spawn('bash', ['-c', script], {
        env: {
          ...process.env, ...env, TSB: BIN, SPEC: readerSpec, OUT: out,
          ALIBABA_CLOUD_ACCESS_KEY_ID: ALICE.id, ALIBABA_CLOUD_ACCESS_KEY_SECRET: ALICE.secret,
        },
      });
      let stdout = '';
      let stderr = '';
      proc.stdout.on('data', (d) => { stdout += d; });
      proc.stderr.on('data', (d) => { stderr += d; });
      proc.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    assert.equal(r.code, 0, `exit ${r.code}; stderr:\n${r.stderr}`);
    printed.push({ what: 'sourced import', text: r.stdout + r.stderr });
    assert.equal(csvRows(out).length, ROWS + 1);
    const plainOut = await run(['auth', 'assume-role', '--spec', readerSpec], asAlice);
    assert.equal(plainOut.code, 0, describeRun(plainOut));
    assert.match(plainOut.stdout.toString(), /^role acs:ram::1111111111111111:role\/reader\naccess key id STS\.\S+\nexpires \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n/);
  });

  await t.test('a job longer than its credentials\' lifetime finishes, renewing them', async () => {
    const out = file('renewed.csv');
    const r = await run(['import', '--spec', readerSpec, '--output', out, '--sts-duration', '3',
      '--max-rows-per-sec', '40', '--parallel', '1', '-v'], asAlice);
    assert.equal(r.code, 0, describeRun(r));
    assert.equal(csvRows(out).length, ROWS + 1);
    assert.match(r.stderr, /renewed the temporary credentials of acs:ram::1111111111111111:role\/reader/);
  });

  await t.test('nothing tsbridge printed holds a secret or a token', () => {
    const all = needles.filter(Boolean);
    assert.ok(all.length >= 9, `${all.length} secrets and tokens to look for`);
    for (const { what, text } of printed) {
      for (const n of all) assert.ok(!text.includes(n), `${what} printed a secret or token`);
    }
  });
});
