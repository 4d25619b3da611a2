// `tsbridge import` against a failing service, through the emulator's fault injection: retriable
// errors (OTSServerBusy on GetRange, OTSTimeout on ComputeSplitPointsBySize) are retried and the
// file is still exact; a permanent error ends the job with exit 1, the service's code, message and
// request id, and no file under the final name (nor any part file).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import {
  startEmulator, makeClient, runTsbridge, describeRun, openDuck, tempDir, writeSpec, guideSpec, readOrders,
  loadOrders, INSTANCE,
} from './lib.mjs';

const ROWS = 20000;
let flaky;   // retriable faults
let broken;  // every GetRange refused
let tmp;
let reference;  // the CSV from a healthy emulator

async function emulatorWithOrders(faults) {
  const emu = await startEmulator({ args: faults.flatMap((f) => ['--fault', f]) });
  const duck = await openDuck();
  await loadOrders(makeClient(emu.endpoint, { instance: INSTANCE }), await readOrders(duck, { limit: ROWS }));
  duck.close();
  return emu;
}

before(async () => {
  tmp = tempDir('tsb-import-faults-');
  const healthy = await emulatorWithOrders([]);
  const spec = writeSpec(tmp.file('healthy.json'), guideSpec(healthy.endpoint));
  const r = await runTsbridge(['import', '--spec', spec, '--output', tmp.file('reference.csv')]);
  assert.equal(r.code, 0, describeRun(r));
  reference = readFileSync(tmp.file('reference.csv'));
  await healthy.stop();
  // Loading goes through BatchWriteRow, which no rule touches.
  flaky = await emulatorWithOrders(['GetRange:OTSServerBusy:0.3', 'ComputeSplitPointsBySize:OTSTimeout:0.5']);
  broken = await emulatorWithOrders(['GetRange:OTSParameterInvalid:1']);
});

after(async () => {
  await flaky?.stop();
  await broken?.stop();
  tmp?.cleanup();
});

test('retriable errors are retried: the file is exact', async () => {
  const spec = writeSpec(tmp.file('flaky.json'), guideSpec(flaky.endpoint));
  for (const parallel of ['1', '4']) {
    const out = tmp.file(`flaky${parallel}.csv`);
    const r = await runTsbridge(['import', '--spec', spec, '--output', out, '--parallel', parallel]);
    assert.equal(r.code, 0, describeRun(r));
    assert.ok(readFileSync(out).equals(reference), `--parallel ${parallel}: same bytes as from a healthy service`);
  }
});

test('a permanent service error: exit 1, code, message and request id, nothing written', async () => {
  // The spec names the healthy endpoint; TSBRIDGE_ENDPOINT and --endpoint override it.
  const spec = writeSpec(tmp.file('broken.json'), guideSpec('http://127.0.0.1:9'));
  const out = tmp.file('broken.csv');
  const r = await runTsbridge(['import', '--spec', spec, '--output', out], { env: { TSBRIDGE_ENDPOINT: broken.endpoint } });
  assert.equal(r.code, 1, describeRun(r));
  assert.match(r.stderr, /^tsbridge import: OTSParameterInvalid: .*GetRange.*Injected fault.*request id [0-9a-f-]+/m);
  assert.ok(!existsSync(out), 'no file under the final name');
  assert.deepEqual(readdirSync(tmp.dir).filter((n) => n.startsWith('broken') && n !== 'broken.json'), [], 'no temporary files left');

  const dir = tmp.file('broken_parts') + '/';
  const d = await runTsbridge(['import', '--spec', spec, '--endpoint', broken.endpoint, '--output', dir, '--format', 'csv', '--parallel', '4']);
  assert.equal(d.code, 1, describeRun(d));
  assert.deepEqual(existsSync(dir) ? readdirSync(dir) : [], [], 'no part files');
});
