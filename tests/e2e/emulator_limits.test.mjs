// `tsbridge emulator` never hangs and never shares its port (decisions.md section 11): with 300
// idle connections open, the official SDK is still answered at once and the idle connections are
// closed after the 5 s read timeout; a second emulator on a port in use exits 1 naming the
// address, and the first keeps serving its data.
import test from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { once } from 'node:events';

import { BIN, KEY_ID, KEY_SECRET, TableStore, call, createTable, makeClient, startEmulator } from './lib.mjs';

// A client whose every request opens its own connection (no shared keep-alive agent), so that a
// request cannot ride on a connection the server already serves.
function freshClient(endpoint) {
  return new TableStore.Client({
    accessKeyId: KEY_ID, secretAccessKey: KEY_SECRET, endpoint, instancename: 'limits', maxRetries: 0,
    httpOptions: { agent: false },
  });
}

function hostPort(endpoint) {
  const url = new URL(endpoint);
  return { host: url.hostname, port: Number(url.port) };
}

// Opens a TCP connection that sends nothing; resolves once connected, with a promise of the time
// (ms since `t0`) at which the server closed it.
function idleSocket({ host, port }, t0) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const closed = new Promise((done) => socket.on('close', () => done(Date.now() - t0())));
    socket.on('error', () => {});
    socket.once('connect', () => resolve({ socket, closed }));
    socket.once('error', reject);
  });
}

test('300 idle connections: a signed ListTable is answered within 1 s; they are closed after 5 s', { timeout: 60000 }, async () => {
  const emu = await startEmulator();
  const sockets = [];
  try {
    const sdk = makeClient(emu.endpoint, { instance: 'limits' });
    await createTable(sdk, 'seen', [{ name: 'k', type: 'STRING' }]);
    let opened = 0;
    const t0 = () => opened;
    for (let i = 0; i < 300; ++i) sockets.push(await idleSocket(hostPort(emu.endpoint), t0));
    opened = Date.now();
    for (let i = 0; i < 5; ++i) {
      const start = Date.now();
      const data = await call(freshClient(emu.endpoint), 'listTable', {}, 5000);
      const ms = Date.now() - start;
      assert.deepEqual(data.tableNames, ['seen']);
      assert.ok(ms < 1000, `ListTable took ${ms} ms with 300 idle connections open`);
    }
    const closedAfter = await Promise.all(sockets.map((s) => s.closed));
    const first = Math.min(...closedAfter);
    const last = Math.max(...closedAfter);
    assert.ok(first > 4500, `an idle connection was closed after ${first} ms, before the 5 s timeout`);
    assert.ok(last < 9000, `an idle connection was still open after ${last} ms`);
  } finally {
    for (const s of sockets) s.socket.destroy();
    await emu.stop();
  }
});

test('a second emulator on a used port exits 1 naming HOST:PORT; the first keeps its data', { timeout: 60000 }, async () => {
  const emu = await startEmulator();
  try {
    const { port } = hostPort(emu.endpoint);
    const sdk = makeClient(emu.endpoint, { instance: 'limits' });
    await createTable(sdk, 'kept', [{ name: 'k', type: 'STRING' }]);
    await call(sdk, 'putRow', {
      tableName: 'kept',
      condition: new TableStore.Condition(TableStore.RowExistenceExpectation.IGNORE, null),
      primaryKey: [{ k: 'row' }],
      attributeColumns: [{ v: 'first emulator' }],
    });

    const second = spawn(BIN, ['emulator', '--listen', `127.0.0.1:${port}`,
      '--access-key-id', KEY_ID, '--access-key-secret', KEY_SECRET], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    second.stdout.on('data', (d) => { stdout += d; });
    second.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => second.kill('SIGTERM'), 10000);
    const [code] = await once(second, 'exit');
    clearTimeout(timer);
    assert.equal(code, 1, `stdout: ${stdout}\nstderr: ${stderr}`);
    assert.equal(stdout, '');
    assert.match(stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: address already in use`));

    // Every new connection reaches the first emulator and its data.
    for (let i = 0; i < 20; ++i) {
      const data = await call(freshClient(emu.endpoint), 'getRow', {
        tableName: 'kept', primaryKey: [{ k: 'row' }], maxVersions: 1,
      }, 5000);
      assert.equal(data.row.attributes[0].columnValue, 'first emulator');
    }
  } finally {
    await emu.stop();
  }
});
