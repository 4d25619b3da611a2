// tsbridge jobs under temporary credentials from the emulator's STS: AssumeRole is signed here
// (node:crypto, wire doc C.4), the credentials reach tsbridge through the environment
// (ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET / _SECURITY_TOKEN), and the emulator's RAM policies decide.
// A read-only role imports and is refused an export (exit 4, naming the action) before any row
// changes; a writer role exports; a made-up token is exit 4. No secret or token is printed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import {
  TableStore, Long, startEmulator, makeClient, call, createTable, runTsbridge, describeRun, tempDir,
  writeJobSpec, readTable, INSTANCE,
} from './lib.mjs';

const ACCOUNT = '1234567890123456';
const ROOT = { id: 'stsRootKeyId', secret: 'sts-root-secret-0123456789' };
const CI = { id: 'stsCiKeyId', secret: 'sts-ci-secret-0123456789' };
const TABLE = 'sts_orders';
const RESOURCES = [`acs:ots:*:${ACCOUNT}:instance/${INSTANCE}`, `acs:ots:*:${ACCOUNT}:instance/${INSTANCE}/table/${TABLE}`];
const TRUST = { Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${ACCOUNT}:root`] } }] };
const allow = (actions) => ({ Version: '1', Statement: [{ Effect: 'Allow', Action: actions, Resource: RESOURCES }] });

const CONFIG = {
  accounts: [{
    id: ACCOUNT,
    access_keys: [ROOT],
    instances: [INSTANCE],
    users: [{ name: 'ci', access_keys: [CI], policies: ['AliyunSTSAssumeRoleAccess'] }],
    roles: [
      { name: 'importer', trust_policy: TRUST, policies: ['Read'] },
      { name: 'exporter', trust_policy: TRUST, policies: ['Read', 'Write'] },
    ],
    policies: {
      Read: allow(['ots:DescribeTable', 'ots:ComputeSplitPointsBySize', 'ots:GetRange']),
      Write: allow(['ots:BatchWriteRow']),
    },
  }],
};

const enc = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

async function assumeRole(endpoint, role) {
  const params = {
    AccessKeyId: CI.id, Action: 'AssumeRole', Format: 'JSON', RoleArn: `acs:ram::${ACCOUNT}:role/${role}`,
    RoleSessionName: 'e2e', SignatureMethod: 'HMAC-SHA1', SignatureNonce: crypto.randomUUID(), SignatureVersion: '1.0',
    Timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), Version: '2015-04-01',
  };
  const canonical = Object.keys(params).sort().map((k) => `${enc(k)}=${enc(params[k])}`).join('&');
  params.Signature = crypto.createHmac('sha1', `${CI.secret}&`).update(`POST&%2F&${enc(canonical)}`).digest('base64');
  const res = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: Object.entries(params).map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&'),
  });
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  return body.Credentials;
}

const asRole = (c) => ({
  id: c.AccessKeyId, secret: c.AccessKeySecret, env: { ALIBABA_CLOUD_SECURITY_TOKEN: c.SecurityToken },
});

test('jobs under a role: the read-only role imports and cannot export; the writer exports', async () => {
  const tmp = tempDir();
  const configPath = tmp.file('emulator.json');
  writeFileSync(configPath, JSON.stringify(CONFIG));
  const emu = await startEmulator({ args: ['--config', configPath, '--log-level', 'debug'], keys: false });
  const printed = [];
  try {
    const root = makeClient(emu.endpoint, { instance: INSTANCE, id: ROOT.id, secret: ROOT.secret });
    await createTable(root, TABLE, [{ name: 'id', type: 'INTEGER' }]);
    await call(root, 'batchWriteRow', {
      tables: [{
        tableName: TABLE,
        rows: [1, 2, 3].map((id) => ({
          type: 'PUT', condition: new TableStore.Condition(TableStore.RowExistenceExpectation.IGNORE, null),
          primaryKey: [{ id: Long.fromNumber(id) }], attributeColumns: [{ v: `row ${id}` }],
        })),
      }],
    });
    const spec = writeJobSpec(tmp.dir, 'job', { endpoint: emu.endpoint, table: TABLE, columns: [['id', 'bigint'], ['v', 'string']], mapping: ':id,v' });
    const importer = await assumeRole(emu.endpoint, 'importer');
    const exporter = await assumeRole(emu.endpoint, 'exporter');
    const secrets = [ROOT.secret, CI.secret, importer.AccessKeySecret, importer.SecurityToken, exporter.AccessKeySecret, exporter.SecurityToken];

    const out = tmp.file('out.csv');
    const imported = await runTsbridge(['import', '--spec', spec, '--output', out], asRole(importer));
    printed.push(imported.stdout.toString(), imported.stderr);
    assert.equal(imported.code, 0, describeRun(imported));
    assert.equal(readFileSync(out, 'utf8'), 'id,v\n1,row 1\n2,row 2\n3,row 3\n');

    const input = tmp.file('in.csv');
    writeFileSync(input, 'id,v\n4,row 4\n');
    const refused = await runTsbridge(['export', '--spec', spec, '--input', input], asRole(importer));
    printed.push(refused.stdout.toString(), refused.stderr);
    assert.equal(refused.code, 4, describeRun(refused));
    assert.match(refused.stderr, /OTSNoPermissionAccess|no permission/);
    assert.match(refused.stderr, /ots:BatchWriteRow/);
    assert.deepEqual([...(await readTable(root, TABLE, ['id'])).keys()], ['["1"]', '["2"]', '["3"]'], 'no row changed');

    const exported = await runTsbridge(['export', '--spec', spec, '--input', input], asRole(exporter));
    printed.push(exported.stdout.toString(), exported.stderr);
    assert.equal(exported.code, 0, describeRun(exported));
    assert.deepEqual((await readTable(root, TABLE, ['id'])).get('["4"]'), { pk: ['4'], attrs: { v: 'row 4' } });

    const madeUp = await runTsbridge(['import', '--spec', spec, '--output', tmp.file('never.csv')],
      { ...asRole(importer), env: { ALIBABA_CLOUD_SECURITY_TOKEN: 'CAISmadeUpToken' } });
    printed.push(madeUp.stdout.toString(), madeUp.stderr);
    assert.equal(madeUp.code, 4, describeRun(madeUp));

    assert.equal(await emu.stop(), 0);
    printed.push(emu.stderr());
    for (const text of printed) {
      for (const s of secrets) assert.ok(!text.includes(s), 'a secret or token was printed');
    }
  } finally {
    await emu.stop();
    tmp.cleanup();
  }
});
