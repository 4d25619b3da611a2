// STS AssumeRole and RAM authorization in `tsbridge emulator --config`: AssumeRole requests are
// signed here, independently of tsbridge (node:crypto HMAC-SHA1, wire doc C.4), and the temporary
// credentials are then used by the official SDK (`stsToken`). A config of two accounts, a RAM user
// and roles; the emulator runs at debug log level and its stderr must hold no secret or token.

import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { TableStore, Long, startEmulator, call, expectError, createTable, IGNORE } from './lib.mjs';

const A = '1111111111111111';
const B = '2222222222222222';
const ROOT_A = { id: 'rootAKeyId', secret: 'rootA-secret-0123456789' };
const ALICE = { id: 'aliceKeyId', secret: 'alice-secret-0123456789' };
const CAROL = { id: 'carolKeyId', secret: 'carol-secret-0123456789' };
const INSTANCE = 'stsdemo';

const trust = (...principals) => ({
  Version: '1',
  Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: principals } }],
});

const CONFIG = {
  region: 'cn-shanghai',
  sts: { min_duration_seconds: 1, max_duration_seconds: 3600 },
  accounts: [
    {
      id: A,
      access_keys: [ROOT_A],
      instances: [INSTANCE],
      users: [{ name: 'alice', access_keys: [ALICE], policies: ['AliyunSTSAssumeRoleAccess'] }],
      roles: [
        { name: 'reader', trust_policy: trust(`acs:ram::${A}:root`), policies: ['ReadOrders'] },
        { name: 'writer', trust_policy: trust(`acs:ram::${A}:root`), policies: ['ReadOrders', 'WriteOrders'] },
        { name: 'only-bob', trust_policy: trust(`acs:ram::${A}:user/bob`), policies: ['ReadOrders'] },
        { name: 'cross', trust_policy: trust(`acs:ram::${B}:root`), policies: ['ReadOrders'] },
      ],
      policies: {
        ReadOrders: {
          Version: '1',
          Statement: [{
            Effect: 'Allow',
            Action: ['ots:GetRange', 'ots:DescribeTable', 'ots:ListTable'],
            Resource: [`acs:ots:*:${A}:instance/${INSTANCE}`, `acs:ots:*:${A}:instance/${INSTANCE}/table/orders`],
          }],
        },
        WriteOrders: {
          Version: '1',
          Statement: [{ Effect: 'Allow', Action: 'ots:BatchWriteRow', Resource: `acs:ots:*:${A}:instance/${INSTANCE}/table/orders` }],
        },
      },
    },
    {
      id: B,
      instances: [],
      users: [{ name: 'carol', access_keys: [CAROL], policies: ['AliyunSTSAssumeRoleAccess'] }],
    },
  ],
};

// POP RPC percent-encoding (RFC 3986 unreserved kept; encodeURIComponent leaves !'()* alone).
const enc = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function sign(method, params, secret) {
  const canonical = Object.keys(params).sort().map((k) => `${enc(k)}=${enc(params[k])}`).join('&');
  const stringToSign = `${method}&${enc('/')}&${enc(canonical)}`;
  return crypto.createHmac('sha1', `${secret}&`).update(stringToSign).digest('base64');
}

// Every AssumeRole signature sent, for the check that none reaches the emulator's log.
const signatures = [];

async function assumeRole(endpoint, key, roleArn, { duration, method = 'POST', extra = {} } = {}) {
  const params = {
    AccessKeyId: key.id,
    Action: 'AssumeRole',
    Format: 'JSON',
    RoleArn: roleArn,
    RoleSessionName: 'conformance',
    SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: crypto.randomUUID(),
    SignatureVersion: '1.0',
    Timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    Version: '2015-04-01',
    ...(duration ? { DurationSeconds: String(duration) } : {}),
    ...extra,
  };
  params.Signature = sign(method, params, key.secret);
  signatures.push(params.Signature);
  const form = Object.entries(params).map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
  const res = method === 'GET'
    ? await fetch(`${endpoint}/?${form}`)
    : await fetch(`${endpoint}/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
  return { status: res.status, body: await res.json() };
}

function sdkClient(endpoint, creds) {
  return new TableStore.Client({
    accessKeyId: creds.AccessKeyId ?? creds.id,
    secretAccessKey: creds.AccessKeySecret ?? creds.secret,
    stsToken: creds.SecurityToken,
    endpoint,
    instancename: INSTANCE,
    maxRetries: 0,
  });
}

const range = (client) => call(client, 'getRange', {
  tableName: 'orders',
  direction: TableStore.Direction.FORWARD,
  inclusiveStartPrimaryKey: [{ id: TableStore.INF_MIN }],
  exclusiveEndPrimaryKey: [{ id: TableStore.INF_MAX }],
  limit: 100,
});

const writeOne = (client, id) => call(client, 'batchWriteRow', {
  tables: [{ tableName: 'orders', rows: [{ type: 'PUT', condition: IGNORE(), primaryKey: [{ id: Long.fromNumber(id) }], attributeColumns: [{ v: `row ${id}` }] }] }],
});

test('the test signer reproduces wire doc C.4 vector B', () => {
  const params = {
    AccessKeyId: 'LTAI5tTestKeyId0001', Action: 'AssumeRole', DurationSeconds: '3600', Format: 'JSON',
    RoleArn: 'acs:ram::1234567890123456:role/ots-export-role', RoleSessionName: 'ots-cli.session_01',
    SignatureMethod: 'HMAC-SHA1', SignatureNonce: '9f1c2d3e-4b5a-6789-abcd-ef0123456789', SignatureVersion: '1.0',
    Timestamp: '2024-05-01T08:30:00Z', Version: '2015-04-01',
  };
  assert.equal(sign('POST', params, 'testsecret'), 'zzoEPxEj/ybK0RTomJA3Gffbgss=');
});

test('AssumeRole, then the SDK with temporary credentials, as the roles and tokens allow', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsb-sts-'));
  const configPath = path.join(dir, 'emulator.json');
  fs.writeFileSync(configPath, JSON.stringify(CONFIG));
  const emu = await startEmulator({ args: ['--config', configPath, '--log-level', 'debug'], keys: false });
  const secrets = [ROOT_A.secret, ALICE.secret, CAROL.secret];
  try {
    const root = sdkClient(emu.endpoint, ROOT_A);
    await createTable(root, 'orders', [{ name: 'id', type: 'INTEGER' }]);
    for (const id of [1, 2, 3]) await writeOne(root, id);

    const readerArn = `acs:ram::${A}:role/reader`;
    const assumed = await assumeRole(emu.endpoint, ALICE, readerArn, { duration: 900 });
    assert.equal(assumed.status, 200, JSON.stringify(assumed.body));
    const creds = assumed.body.Credentials;
    secrets.push(creds.AccessKeySecret, creds.SecurityToken);
    assert.match(creds.AccessKeyId, /^STS\./);
    assert.equal(assumed.body.AssumedRoleUser.Arn, `${readerArn}/conformance`);
    const expires = Date.parse(creds.Expiration);
    assert.ok(Math.abs(expires - (Date.now() + 900_000)) < 60_000, creds.Expiration);

    await t.test('a read-only role reads and is refused a write', async () => {
      const reader = sdkClient(emu.endpoint, creds);
      const data = await range(reader);
      assert.deepEqual(data.rows.map((r) => r.primaryKey[0].value.toNumber()), [1, 2, 3]);
      const e = await expectError(writeOne(reader, 4));
      assert.equal(e.status, 403);
      assert.equal(e.code, 'OTSNoPermissionAccess');
      assert.equal(e.message, 'You have no permission to access the requested resource, please contact the resource owner. '
        + `Action: ots:BatchWriteRow, Resource: acs:ots:cn-shanghai:${A}:instance/${INSTANCE}/table/orders.`);
      assert.deepEqual((await range(root)).rows.length, 3, 'nothing was written');
    });

    await t.test('a writer role writes', async () => {
      const w = await assumeRole(emu.endpoint, ROOT_A, `acs:ram::${A}:role/writer`);
      assert.equal(w.status, 200, JSON.stringify(w.body));
      secrets.push(w.body.Credentials.AccessKeySecret, w.body.Credentials.SecurityToken);
      const data = await writeOne(sdkClient(emu.endpoint, w.body.Credentials), 4);
      assert.equal(data.tables[0].isOk, true);
      assert.equal((await range(root)).rows.length, 4);
    });

    await t.test('a made-up token, a token with another key, an expired token: OTSAuthFailed', async () => {
      const madeUp = await expectError(range(sdkClient(emu.endpoint, { ...creds, SecurityToken: 'CAISmadeUpToken' })));
      assert.equal(madeUp.status, 403);
      assert.equal(madeUp.code, 'OTSAuthFailed');
      const otherKey = await expectError(range(sdkClient(emu.endpoint, { id: ALICE.id, secret: ALICE.secret, SecurityToken: creds.SecurityToken })));
      assert.equal(otherKey.code, 'OTSAuthFailed');
      assert.match(otherKey.message, /SecurityToken is invalid/);

      const short = await assumeRole(emu.endpoint, ALICE, readerArn, { duration: 1 });
      assert.equal(short.status, 200, JSON.stringify(short.body));
      secrets.push(short.body.Credentials.AccessKeySecret, short.body.Credentials.SecurityToken);
      await new Promise((r) => setTimeout(r, 2100));
      const expired = await expectError(range(sdkClient(emu.endpoint, short.body.Credentials)));
      assert.equal(expired.code, 'OTSAuthFailed');
      assert.equal(expired.message, 'The SecurityToken has expired.');
    });

    await t.test('a role whose trust policy does not name the caller: NoPermission', async () => {
      const r = await assumeRole(emu.endpoint, ALICE, `acs:ram::${A}:role/only-bob`);
      assert.equal(r.status, 403);
      assert.equal(r.body.Code, 'NoPermission');
      assert.equal(r.body.Message, 'You are not authorized to do this action. You should be authorized by RAM.');
      assert.equal(r.body.HostId, 'sts.aliyuncs.com');
    });

    await t.test('another account assumes a role through a cross-account trust policy (GET)', async () => {
      const x = await assumeRole(emu.endpoint, CAROL, `acs:ram::${A}:role/cross`, { method: 'GET' });
      assert.equal(x.status, 200, JSON.stringify(x.body));
      secrets.push(x.body.Credentials.AccessKeySecret, x.body.Credentials.SecurityToken);
      assert.equal((await range(sdkClient(emu.endpoint, x.body.Credentials))).rows.length, 4);
      const notTrusted = await assumeRole(emu.endpoint, CAROL, readerArn);
      assert.equal(notTrusted.body.Code, 'NoPermission');
    });

    await t.test('STS error codes: unknown key, wrong secret (no secret echoed), unknown role, duration', async () => {
      const unknown = await assumeRole(emu.endpoint, { id: 'nobody', secret: 'x' }, readerArn);
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.Code, 'InvalidAccessKeyId.NotFound');
      const wrong = await assumeRole(emu.endpoint, { id: ALICE.id, secret: 'not-alices-secret' }, readerArn);
      assert.equal(wrong.status, 400);
      assert.equal(wrong.body.Code, 'SignatureDoesNotMatch');
      assert.match(wrong.body.Message, /server string to sign is:POST&%2F&AccessKeyId%3DaliceKeyId%26/);
      assert.ok(!JSON.stringify(wrong.body).includes(ALICE.secret));
      const noRole = await assumeRole(emu.endpoint, ALICE, `acs:ram::${A}:role/ghost`);
      assert.equal(noRole.status, 404);
      assert.equal(noRole.body.Code, 'EntityNotExist.Role');
      const long = await assumeRole(emu.endpoint, ALICE, readerArn, { duration: 7200 });
      assert.equal(long.body.Code, 'InvalidParameter.DurationSeconds');
    });
  } finally {
    assert.equal(await emu.stop(), 0);
  }
  const stderr = emu.stderr();
  assert.match(stderr, /GetRange instance=stsdemo table=orders/, 'the debug log ran');
  assert.match(stderr, /STS POST status=200/);
  for (const s of secrets) assert.ok(!stderr.includes(s), 'a secret or token is in the emulator log');
  assert.ok(signatures.length >= 8);
  for (const s of signatures) assert.ok(!stderr.includes(s), 'a signature is in the emulator log');
});
