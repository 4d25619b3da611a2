// Authentication as the service does it: a wrong secret, an unknown key, a stale x-ots-date, a
// body that does not match x-ots-contentmd5, and (with --config) an undeclared instance are
// refused with OTSAuthFailed and the service's messages. Responses carry the x-ots-* headers and
// the signed authorization header that the Java and Python SDKs verify.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  BIN, KEY_ID, KEY_SECRET, startEmulator, makeClient, call, expectError, createTable, rawRequest, decodeError, pb,
} from './lib.mjs';

let emu;
before(async () => {
  emu = await startEmulator();
  await createTable(makeClient(emu.endpoint), 'a', [{ name: 'k', type: 'STRING' }]);
});
after(async () => { await emu.stop(); });

const listBody = Buffer.alloc(0);

test('a wrong secret is refused: Signature mismatch.', async () => {
  const e = await expectError(call(makeClient(emu.endpoint, { secret: 'not-the-secret' }), 'listTable', {}));
  assert.equal(e.status, 403);
  assert.equal(e.code, 'OTSAuthFailed');
  assert.equal(e.message, 'Signature mismatch.');
});

test('an unknown access key is refused', async () => {
  const e = await expectError(call(makeClient(emu.endpoint, { id: 'nobody' }), 'listTable', {}));
  assert.equal(e.status, 403);
  assert.equal(e.code, 'OTSAuthFailed');
  assert.equal(e.message, 'The AccessKeyID does not exist.');
});

test('a date 20 minutes old is refused; 10 minutes is accepted', async () => {
  const stale = new Date(Date.now() - 20 * 60 * 1000);
  const res = await rawRequest(emu.endpoint, 'ListTable', listBody, { date: stale });
  assert.equal(res.status, 403);
  const err = decodeError(res.body);
  assert.equal(err.code, 'OTSAuthFailed');
  assert.match(err.message, /^Mismatch between system time and x-ots-date: /);
  const ok = await rawRequest(emu.endpoint, 'ListTable', listBody, { date: new Date(Date.now() - 10 * 60 * 1000) });
  assert.equal(ok.status, 200);
});

test('a body that does not match x-ots-contentmd5 is refused', async () => {
  const body = Buffer.from(pb.DescribeTableRequest.encode({ tableName: 'a' }).finish());
  const res = await rawRequest(emu.endpoint, 'DescribeTable', body, { contentMd5: crypto.createHash('md5').update('other').digest('base64') });
  assert.equal(res.status, 403);
  const err = decodeError(res.body);
  assert.equal(err.code, 'OTSAuthFailed');
  assert.equal(err.message, 'Mismatch between MD5 value of request body and x-ots-contentmd5 in header.');
});

test('an unknown operation is refused', async () => {
  const res = await rawRequest(emu.endpoint, 'FlyToTheMoon', listBody);
  assert.equal(res.status, 400);
  const err = decodeError(res.body);
  assert.equal(err.code, 'OTSParameterInvalid');
  assert.equal(err.message, 'Unsupported operation: FlyToTheMoon.');
});

// Response signature per wire doc A.2: the sorted x-ots-* response headers, then "/" + operation.
function verifyResponse(res, op) {
  const names = Object.keys(res.headers).filter((h) => h.startsWith('x-ots-')).sort();
  const toSign = names.map((h) => `${h}:${res.headers[h].trim()}\n`).join('') + `/${op}`;
  const sig = crypto.createHmac('sha1', KEY_SECRET).update(toSign).digest('base64');
  assert.equal(res.headers.authorization, `OTS ${KEY_ID}:${sig}`);
  assert.equal(res.headers['x-ots-contentmd5'], crypto.createHash('md5').update(res.body).digest('base64'));
  assert.equal(res.headers['x-ots-contenttype'], 'protocol buffer');
  assert.ok(res.headers['x-ots-requestid']);
  assert.match(res.headers['x-ots-date'], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
}

test('responses, errors included, carry signed x-ots-* headers', async () => {
  const ok = await rawRequest(emu.endpoint, 'ListTable', listBody);
  assert.equal(ok.status, 200);
  assert.deepEqual(pb.ListTableResponse.decode(ok.body).tableNames, ['a']);
  verifyResponse(ok, 'ListTable');
  const body = Buffer.from(pb.DescribeTableRequest.encode({ tableName: 'missing' }).finish());
  const notFound = await rawRequest(emu.endpoint, 'DescribeTable', body);
  assert.equal(notFound.status, 404);
  verifyResponse(notFound, 'DescribeTable');
  const ids = new Set([ok.headers['x-ots-requestid'], notFound.headers['x-ots-requestid']]);
  assert.equal(ids.size, 2, 'request ids are unique');
});

test('with --config, only declared instances and keys are served', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsb-conf-'));
  const config = path.join(dir, 'emulator.json');
  fs.writeFileSync(config, JSON.stringify({
    region: 'cn-hangzhou',
    accounts: [{ id: '1234567890123456', access_keys: [{ id: 'cfgKey', secret: 'cfgSecret' }], instances: ['demo'] }],
  }));
  const cfgEmu = await startEmulator({ args: ['--config', config], keys: false });
  try {
    const demo = makeClient(cfgEmu.endpoint, { instance: 'demo', id: 'cfgKey', secret: 'cfgSecret' });
    await call(demo, 'listTable', {});
    const e = await expectError(call(makeClient(cfgEmu.endpoint, { instance: 'other', id: 'cfgKey', secret: 'cfgSecret' }), 'listTable', {}));
    assert.equal(e.status, 403);
    assert.equal(e.code, 'OTSAuthFailed');
    assert.equal(e.message, 'The instance is not found.');
    const e2 = await expectError(call(makeClient(cfgEmu.endpoint, { instance: 'demo' }), 'listTable', {}));
    assert.equal(e2.code, 'OTSAuthFailed', 'the flag key is not an account of this config');
  } finally {
    await cfgEmu.stop();
  }
});

test('a policy the emulator could not enforce is refused at load, naming its JSON path', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsb-conf-'));
  const config = path.join(dir, 'emulator.json');
  fs.writeFileSync(config, JSON.stringify({
    accounts: [{ id: '1', access_keys: [{ id: 'k', secret: 's' }], instances: ['demo'], policies: { ReadOnly: {} } }],
  }));
  const r = spawnSync(BIN, ['emulator', '--listen', '127.0.0.1:0', '--config', config], { encoding: 'utf8', timeout: 20000 });
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '', 'nothing on stdout: it never listened');
  assert.match(r.stderr, /accounts\[0\]\.policies\.ReadOnly\.Version: missing/);
});
