// --ca-bundle (issue 16): https to Tablestore and to STS is always verified; a CA file makes a
// private CA's certificate acceptable. A Node https proxy with a certificate signed by a CA made
// here (openssl) stands in front of a configured emulator, which answers both OTS and STS.

import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';

import { TableStore, Long, startEmulator, call, createTable, tempDir, writeSpec, runTsbridge, describeRun } from './lib.mjs';
import { IGNORE } from '../conformance/lib.mjs';

const ACCOUNT = '3333333333333333';
const ROOT = { id: 'tlsRootKeyId', secret: 'tls-root-secret-0123456789' };

function makeCerts(tmp) {
  const f = tmp.file;
  const ssl = (...args) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.pem'),
    '-days', '2', '-subj', '/CN=tsbridge test CA');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('server.key'), '-out', f('server.csr'),
    '-subj', '/CN=127.0.0.1');
  writeFileSync(f('san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  ssl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'),
    '-CAcreateserial', '-out', f('server.pem'), '-days', '2', '-extfile', f('san.ext'));
  return { ca: f('ca.pem'), key: readFileSync(f('server.key')), cert: readFileSync(f('server.pem')) };
}

// Forwards every request to `target` as it is.
async function startProxy(target, { key, cert }) {
  const server = https.createServer({ key, cert }, (req, res) => {
    const url = new URL(req.url, target);
    const up = http.request(url, { method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `https://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

test('--ca-bundle: https to Tablestore and STS verified against the given CA', async (t) => {
  const tmp = tempDir('tsb-tls-');
  t.after(() => tmp.cleanup());
  const certs = makeCerts(tmp);
  const config = {
    region: 'cn-hangzhou',
    accounts: [{
      id: ACCOUNT, access_keys: [ROOT], instances: ['tls'],
      roles: [{
        name: 'reader', policies: ['AliyunOTSReadOnlyAccess'],
        trust_policy: { Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${ACCOUNT}:root`] } }] },
      }],
    }],
  };
  writeFileSync(tmp.file('emulator.json'), JSON.stringify(config));
  const emu = await startEmulator({ args: ['--config', tmp.file('emulator.json')], keys: false });
  t.after(() => emu.stop());
  const proxy = await startProxy(emu.endpoint, certs);
  t.after(() => proxy.close());

  const sdk = new TableStore.Client({ accessKeyId: ROOT.id, secretAccessKey: ROOT.secret, endpoint: emu.endpoint, instancename: 'tls', maxRetries: 0 });
  await createTable(sdk, 'items', [{ name: 'k', type: 'INTEGER' }]);
  await call(sdk, 'batchWriteRow', {
    tables: [{ tableName: 'items', rows: [1, 2, 3].map((k) => ({ type: 'PUT', condition: IGNORE(), primaryKey: [{ k: Long.fromNumber(k) }], attributeColumns: [{ v: `item ${k}` }] })) }],
  });
  const spec = writeSpec(tmp.file('job.json'), {
    tablestore: { endpoint: proxy.url, instance: 'tls', table: 'items', role_arn: `acs:ram::${ACCOUNT}:role/reader`, sts_endpoint: proxy.url },
    columns: [{ name: 'k', type: 'bigint' }, { name: 'v', type: 'string' }],
    mapping: ':k,v',
  });
  const keys = { id: ROOT.id, secret: ROOT.secret };

  await t.test('without --ca-bundle the private CA is not trusted: exit 4 naming the certificate, nothing written', async () => {
    const r = await runTsbridge(['import', '--spec', spec, '--output', tmp.file('untrusted.csv')], keys);
    assert.equal(r.code, 4, describeRun(r));
    assert.match(r.stderr, /certificate/i);
    assert.match(r.stderr, /AssumeRole/);
    assert.ok(!r.stderr.includes(ROOT.secret));
  });

  await t.test('with --ca-bundle STS and Tablestore both go over verified https', async () => {
    const out = tmp.file('trusted.csv');
    const r = await runTsbridge(['import', '--spec', spec, '--output', out, '--ca-bundle', certs.ca], keys);
    assert.equal(r.code, 0, describeRun(r));
    assert.equal(readFileSync(out, 'utf8'), 'k,v\n1,item 1\n2,item 2\n3,item 3\n');
  });

  await t.test('a CA file that is not the one that signed the certificate is still refused', async () => {
    const other = tmp.file('other-ca.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', tmp.file('other.key'),
      '-out', other, '-days', '2', '-subj', '/CN=another CA'], { stdio: 'ignore' });
    const r = await runTsbridge(['import', '--spec', spec, '--output', tmp.file('other.csv'), '--ca-bundle', other], keys);
    assert.equal(r.code, 4, describeRun(r));
    assert.match(r.stderr, /certificate/i);
  });
});
