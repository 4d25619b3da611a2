// Output directories and temporary files (decisions 11): `--output DIR/` must be absent or empty
// (exit 2 naming what is there); --overwrite removes tsbridge's own files and still refuses
// others; a finished import writes DIR/_SUCCESS last; temporaries are `.<final name>.tmp-*`,
// stale ones are removed by the next run, and none is left by a failing or a stopped import.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import {
  Long, startEmulator, makeClient, createTable, bulkPut, runTsbridge, describeRun, tempDir, writeSpec,
  INSTANCE, BIN, KEY_ID, KEY_SECRET,
} from './lib.mjs';

const ROWS = 3000;
let emu;
let tmp;
let spec;

before(async () => {
  tmp = tempDir('tsb-import-dirs-');
  emu = await startEmulator();
  const client = makeClient(emu.endpoint, { instance: INSTANCE });
  await createTable(client, 'dirs', [{ name: 'id', type: 'INTEGER' }]);
  const rows = [];
  for (let i = 0; i < ROWS; ++i) rows.push({ primaryKey: [{ id: Long.fromNumber(i) }], attributeColumns: [{ v: `v${i}` }] });
  await bulkPut(client, 'dirs', rows);
  spec = writeSpec(tmp.file('spec.json'), {
    tablestore: { endpoint: emu.endpoint, instance: INSTANCE, table: 'dirs' },
    columns: [{ name: 'id', type: 'bigint' }, { name: 'v', type: 'string' }],
    mapping: ':id,v',
  });
});

after(async () => {
  if (emu) await emu.stop();
  tmp?.cleanup();
});

const importTo = (dir, extra = [], endpoint) => runTsbridge(
  ['import', '--spec', spec, '--output', dir, '--format', 'csv', ...extra, ...(endpoint ? ['--endpoint', endpoint] : [])]);

test('a finished import writes _SUCCESS last, after every part file', async () => {
  const dir = tmp.file('fresh') + '/';
  const r = await importTo(dir, ['--parallel', '2']);
  assert.equal(r.code, 0, describeRun(r));
  const names = readdirSync(dir).sort();
  assert.ok(names.includes('_SUCCESS'), names.join(' '));
  assert.ok(names.includes('part-00000.csv'), names.join(' '));
  const success = statSync(dir + '_SUCCESS');
  assert.equal(success.size, 0);
  for (const n of names.filter((x) => x.startsWith('part-'))) {
    assert.ok(statSync(dir + n).mtimeMs <= success.mtimeMs, `${n} is older than _SUCCESS`);
  }
  assert.deepEqual(names.filter((n) => n.startsWith('.')), [], 'no temporary file left');
});

test('a directory that holds files is refused (exit 2, naming one); --overwrite replaces our own files only', async () => {
  const dir = tmp.file('reused') + '/';
  assert.equal((await importTo(dir)).code, 0);
  // A stale part of an earlier run with more splits: it must never join the new dataset silently.
  writeFileSync(dir + 'part-00009.csv', 'id,v\n999999,stale\n');
  const again = await importTo(dir);
  assert.equal(again.code, 2, describeRun(again));
  assert.match(again.stderr, /is not empty: it holds .*part-00009\.csv/);
  assert.match(again.stderr, /--overwrite/);

  writeFileSync(dir + 'notes.txt', 'mine');
  const foreign = await importTo(dir, ['--overwrite']);
  assert.equal(foreign.code, 2, describeRun(foreign));
  assert.match(foreign.stderr, /notes\.txt/);
  assert.ok(existsSync(dir + 'notes.txt') && existsSync(dir + 'part-00009.csv'), 'nothing removed when refused');

  unlinkSync(dir + 'notes.txt');
  writeFileSync(dir + '_rejects.jsonl', '{"old": true}\n');
  const over = await importTo(dir, ['--overwrite']);
  assert.equal(over.code, 0, describeRun(over));
  const names = readdirSync(dir).sort();
  assert.ok(!names.includes('part-00009.csv'), 'the stale part is gone');
  assert.ok(!names.includes('_rejects.jsonl'), 'the old reject file is gone (no row was rejected)');
  assert.deepEqual(names, ['_SUCCESS', 'part-00000.csv']);

  const sub = tmp.file('withsub') + '/';
  mkdirSync(sub + 'part-dir', { recursive: true });
  const d = await importTo(sub, ['--overwrite']);
  assert.equal(d.code, 2, 'a directory inside is never ours to remove: ' + describeRun(d));
  assert.match(d.stderr, /part-dir/);
});

test('stale temporaries of a killed run are removed by the next run', async () => {
  const dir = tmp.file('stale') + '/';
  mkdirSync(dir);
  // A PID that is no running process: this test's own child, exited.
  const dead = await new Promise((resolve) => {
    const p = spawn('true');
    p.on('exit', () => resolve(p.pid));
  });
  writeFileSync(dir + `.part-00000.csv.tmp-${dead}-AbC123`, 'half a file');
  writeFileSync(dir + '.part-00000.csv.tmp-', 'no pid at all');
  const r = await importTo(dir);
  assert.equal(r.code, 0, describeRun(r));
  assert.deepEqual(readdirSync(dir).sort(), ['_SUCCESS', 'part-00000.csv']);

  // Beside a single output file as well.
  writeFileSync(tmp.file(`.single.csv.tmp-${dead}-XyZ789`), 'half a file');
  const s = await runTsbridge(['import', '--spec', spec, '--output', tmp.file('single.csv')]);
  assert.equal(s.code, 0, describeRun(s));
  assert.deepEqual(readdirSync(tmp.dir).filter((n) => n.includes('single.csv')), ['single.csv']);
});

test('a failing import leaves no temporary file and no part file', async () => {
  // Every GetRange fails with an error that is not retried: the writers are open by then.
  const faulty = await startEmulator({ args: ['--fault', 'GetRange:OTSParameterInvalid:1'] });
  try {
    const client = makeClient(faulty.endpoint, { instance: INSTANCE });
    await createTable(client, 'dirs', [{ name: 'id', type: 'INTEGER' }]);
    await bulkPut(client, 'dirs', [{ primaryKey: [{ id: Long.fromNumber(1) }], attributeColumns: [{ v: 'x' }] }]);
    const dir = tmp.file('failing') + '/';
    const r = await importTo(dir, [], faulty.endpoint);
    assert.equal(r.code, 1, describeRun(r));
    assert.deepEqual(readdirSync(dir), [], 'nothing in the directory, hidden files included');
    const file = tmp.file('failing.parquet');
    const f = await runTsbridge(['import', '--spec', spec, '--output', file, '--endpoint', faulty.endpoint]);
    assert.equal(f.code, 1, describeRun(f));
    assert.deepEqual(readdirSync(tmp.dir).filter((n) => n.includes('failing.parquet')), []);
  } finally {
    await faulty.stop();
  }
  // Against an emulator that is not running at all.
  const stopped = await startEmulator();
  const endpoint = stopped.endpoint;
  await stopped.stop();
  const gone = tmp.file('gone.csv');
  const r = await runTsbridge(['import', '--spec', spec, '--output', gone, '--endpoint', endpoint], { timeoutMs: 120000 });
  assert.equal(r.code, 1, describeRun(r));
  assert.deepEqual(readdirSync(tmp.dir).filter((n) => n.includes('gone.csv')), []);
});

test('SIGTERM mid-run: exit 143, no temporary file, nothing under the final name', async () => {
  const out = tmp.file('sigterm.parquet');
  const env = { ...process.env, ALIBABA_CLOUD_ACCESS_KEY_ID: KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: KEY_SECRET };
  // A read-rate cap keeps the import running for seconds, with its output open.
  const proc = spawn(BIN, ['import', '--spec', spec, '--output', out, '--parallel', '1', '--max-rows-per-sec', '500'],
    { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => proc.on('close', (c) => resolve(c)));
  const mine = () => readdirSync(tmp.dir).filter((n) => n.includes('sigterm.parquet'));
  const deadline = Date.now() + 60000;
  while (!mine().some((n) => /^\.sigterm\.parquet\.tmp-\d+-/.test(n))) {
    assert.ok(Date.now() < deadline && proc.exitCode === null, `the import never opened its output: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  proc.kill('SIGTERM');
  assert.equal(await exited, 143, stderr);
  assert.deepEqual(mine(), []);
});
