// Timeouts, retries and endpoints (decisions 11, "Timeouts and retries" and "Secrets"), from the
// outside:
//   - through a proxy that leaves 3% of the BatchWriteRow answers unanswered (the write happened,
//     tsbridge never learns it) and swallows 2% of the requests, export writes exactly its input
//     in update mode, put mode and --if-absent (whose rows are read back, not sent again blindly);
//   - nothing listening: import and export fail (exit 1) within seconds, naming the endpoint and
//     asking whether `tsbridge emulator` runs; https:// to the emulator fails at once, saying that
//     the endpoint does not speak TLS;
//   - an endpoint with user information is exit 2 and its secret appears nowhere;
//   - the export summary line counts the retries the emulator's fault injection caused, and rows
//     that failed with a row-level OTSTimeout are written, none rejected;
//   - through each of the emulator's connection faults alone (a connection dropped before the
//     request runs, dropped after the write, an answer cut short, a stall past --request-timeout),
//     export ends with the table equal to its input;
//   - --request-timeout / --retry-deadline refuse what is not a positive finite number (exit 2).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';

import { batchWriteLog, client, readTable, startEmulator, tempDir, runTsbridge, writeJobSpec } from './lib.mjs';

const COLUMNS = [['k', 'bigint'], ['v', 'string'], ['x', 'bigint']];
const MAPPING = ':k,v,x';

function writeInput(dir, rows) {
  const lines = ['k,v,x'];
  for (let i = 0; i < rows; ++i) lines.push(`${i},value ${i},${i * 7}`);
  const file = path.join(dir, `rows${rows}.csv`);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

async function assertTableIsInput(endpoint, table, rows) {
  const got = await readTable(client(endpoint), table, ['k']);
  assert.equal(got.size, rows, `table ${table}: ${got.size} rows, expected ${rows}`);
  for (let i = 0; i < rows; ++i) {
    const row = got.get(JSON.stringify([String(i)]));
    assert.ok(row, `table ${table}: row ${i} missing`);
    assert.deepEqual(row.attrs, { v: `value ${i}`, x: String(i * 7) }, `table ${table}: row ${i}`);
  }
}

// An HTTP proxy on 127.0.0.1 in front of `target`. Of the BatchWriteRow requests, every 33rd
// (about 3%) is forwarded and its answer dropped (the emulator applied the write; the client
// waits for nothing), and every 50th is swallowed (never forwarded). Other requests pass.
async function startProxy(target) {
  const upstream = new URL(target);
  const counts = { batchWrites: 0, stalled: 0, swallowed: 0 };
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (d) => chunks.push(d));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      let fate = 'pass';
      if (req.url === '/BatchWriteRow') {
        const n = counts.batchWrites++;
        if (n % 50 === 30) fate = 'swallow';
        else if (n % 33 === 16) fate = 'stall';
      }
      if (fate === 'swallow') { counts.swallowed++; return; }
      const fwd = http.request({
        host: upstream.hostname, port: upstream.port, method: req.method, path: req.url,
        headers: req.headers, agent: false,
      }, (up) => {
        const parts = [];
        up.on('data', (d) => parts.push(d));
        up.on('end', () => {
          if (fate === 'stall') { counts.stalled++; return; }
          res.writeHead(up.statusCode, up.headers);
          res.end(Buffer.concat(parts));
        });
      });
      fwd.on('error', () => res.destroy());
      fwd.end(body);
    });
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${server.address().port}`,
    counts,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function summaryCounts(stderr) {
  const m = /export: (\d+) BatchWriteRow requests, (\d+) refused as a whole, (\d+) rows retried, (\d+) rows read back/.exec(stderr);
  assert.ok(m, stderr);
  return { requests: Number(m[1]), refused: Number(m[2]), rowRetries: Number(m[3]), readBack: Number(m[4]) };
}

// Rows written according to the emulator's debug log lines ("rows=N": the rows applied).
function requestLines(emu) {
  return batchWriteLog(emu).filter((l) => /BatchWriteRow instance=/.test(l));
}

function writtenRows(log) {
  return log.map((l) => Number(/rows=(\d+)/.exec(l)[1])).reduce((a, b) => a + b, 0);
}

async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('unanswered and swallowed BatchWriteRow requests: update, put and --if-absent write exactly the input', { timeout: 240000 }, async () => {
  const emu = await startEmulator();
  const proxy = await startProxy(emu.endpoint);
  const dir = tempDir('tsb-net-proxy-').dir;
  try {
    const ROWS = 10000;
    const input = writeInput(dir, ROWS);
    for (const [table, args] of [['upd', []], ['put', ['--mode', 'put']], ['absent', ['--if-absent']]]) {
      const spec = writeJobSpec(dir, table, { endpoint: proxy.endpoint, table, columns: COLUMNS, mapping: MAPPING });
      const before = { ...proxy.counts };
      const started = Date.now();
      const r = await runTsbridge(['export', '--spec', spec, '--input', input, '--create-table',
        '--request-timeout', '2', '--rejects', path.join(dir, `${table}.rejects.csv`), ...args]);
      const seconds = (Date.now() - started) / 1000;
      assert.equal(r.code, 0, `${table}: ${r.stderr}`);
      const stalled = proxy.counts.stalled - before.stalled;
      const swallowed = proxy.counts.swallowed - before.swallowed;
      assert.ok(stalled >= 1 && swallowed >= 1, `${table}: ${stalled} stalled, ${swallowed} swallowed`);
      const c = summaryCounts(r.stderr);
      // Every request the proxy saw was counted, and each one left unanswered failed as a whole.
      assert.equal(c.requests, proxy.counts.batchWrites - before.batchWrites, r.stderr);
      assert.equal(c.refused, stalled + swallowed, r.stderr);
      if (table === 'absent') {
        // The rows of every unanswered request were read back; those the stalled requests wrote
        // count as ours, the swallowed ones were sent again.
        assert.ok(c.readBack >= 200 * (stalled + swallowed) - 200, r.stderr);
      } else {
        assert.equal(c.readBack, 0, r.stderr);
      }
      assert.match(r.stderr, / 0 rejected,/, r.stderr);
      assert.ok(!fs.existsSync(path.join(dir, `${table}.rejects.csv`)) ||
        fs.readFileSync(path.join(dir, `${table}.rejects.csv`), 'utf8').trim().split('\n').length <= 1);
      await assertTableIsInput(emu.endpoint, table, ROWS);
      console.log(`${table}: ${seconds.toFixed(1)} s, ${stalled} stalled, ${swallowed} swallowed, ${c.readBack} read back`);
    }
  } finally {
    await proxy.close();
    await emu.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('nothing listening: import and export exit 1 within seconds, naming the endpoint', { timeout: 60000 }, async () => {
  const dir = tempDir('tsb-net-refused-').dir;
  try {
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    const input = writeInput(dir, 10);
    const spec = writeJobSpec(dir, 'spec', { endpoint, table: 't', columns: COLUMNS, mapping: MAPPING });
    for (const args of [['export', '--spec', spec, '--input', input],
      ['import', '--spec', spec, '--output', path.join(dir, 'out.csv')]]) {
      const started = Date.now();
      const r = await runTsbridge(args);
      const seconds = (Date.now() - started) / 1000;
      assert.equal(r.code, 1, r.stderr);
      assert.ok(seconds < 10, `${args[0]}: ${seconds} s`);
      assert.ok(r.stderr.includes(endpoint), r.stderr);
      assert.match(r.stderr, /is `tsbridge emulator` running/);
      assert.match(r.stderr, /4 attempts/);  // the first and 3 retries
      console.log(`${args[0]} against nothing: exit ${r.code} in ${seconds.toFixed(2)} s`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('https:// against the emulator fails at once and says the endpoint does not speak TLS', { timeout: 60000 }, async () => {
  const emu = await startEmulator();
  const dir = tempDir('tsb-net-tls-').dir;
  try {
    const tls = emu.endpoint.replace('http://', 'https://');
    const input = writeInput(dir, 10);
    const spec = writeJobSpec(dir, 'spec', { endpoint: tls, table: 't', columns: COLUMNS, mapping: MAPPING });
    for (const args of [['export', '--spec', spec, '--input', input, '--create-table'],
      ['import', '--spec', spec, '--output', path.join(dir, 'out.csv')]]) {
      const started = Date.now();
      const r = await runTsbridge(args);
      const seconds = (Date.now() - started) / 1000;
      assert.equal(r.code, 1, r.stderr);
      assert.ok(seconds < 5, `${args[0]}: ${seconds} s`);
      assert.match(r.stderr, /does not speak TLS/);
      assert.ok(r.stderr.includes(`use ${emu.endpoint}`), r.stderr);
    }
  } finally {
    await emu.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('an endpoint with user information is exit 2 and the secret is shown nowhere', { timeout: 60000 }, async () => {
  const dir = tempDir('tsb-net-userinfo-').dir;
  const SECRET = 'Zq9SecretPart';
  try {
    const bad = `http://myid:${SECRET}@127.0.0.1:9`;
    const input = writeInput(dir, 10);
    const good = writeJobSpec(dir, 'good', { endpoint: 'http://127.0.0.1:9', table: 't', columns: COLUMNS, mapping: MAPPING });
    const inSpec = writeJobSpec(dir, 'bad', { endpoint: bad, table: 't', columns: COLUMNS, mapping: MAPPING });
    const summary = path.join(dir, 'summary.json');
    const runs = [
      [['export', '--spec', good, '--input', input, '--endpoint', bad, '--summary', summary], {}],
      [['import', '--spec', good, '--output', path.join(dir, 'o.csv'), '--endpoint', bad, '--summary', summary], {}],
      [['export', '--spec', good, '--input', input, '--summary', summary], { endpoint: bad }],
      [['import', '--spec', inSpec, '--output', path.join(dir, 'o.csv'), '--summary', summary], {}],
      [['export', '--spec', inSpec, '--input', input, '--summary', summary], {}],
    ];
    for (const [args, opts] of runs) {
      fs.rmSync(summary, { force: true });
      const r = await runTsbridge(args, opts);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /user information/);
      assert.ok(!r.stderr.includes(SECRET) && !r.stderr.includes('myid'), r.stderr);
      assert.ok(!r.stdout.includes(SECRET));
      if (fs.existsSync(summary)) assert.ok(!fs.readFileSync(summary, 'utf8').includes(SECRET));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the summary counts the retries that happened: whole requests refused as busy, rows failed with OTSTimeout', { timeout: 180000 }, async () => {
  const dir = tempDir('tsb-net-faults-').dir;
  const ROWS = 4000;
  const input = writeInput(dir, ROWS);
  try {
    // Whole requests: every refused request is one 503 in the emulator's log.
    {
      const emu = await startEmulator({ args: ['--log-level', 'debug', '--fault', 'BatchWriteRow:OTSServerBusy:0.2'] });
      try {
        const spec = writeJobSpec(dir, 'busy', { endpoint: emu.endpoint, table: 'busy', columns: COLUMNS, mapping: MAPPING });
        const r = await runTsbridge(['export', '--spec', spec, '--input', input, '--create-table']);
        assert.equal(r.code, 0, r.stderr);
        const log = requestLines(emu);
        const busy = log.filter((l) => /status=503/.test(l)).length;
        assert.ok(busy > 0, log.join('\n'));
        const c = summaryCounts(r.stderr);
        assert.equal(c.requests, log.length, r.stderr);
        assert.equal(c.refused, busy, r.stderr);
        assert.equal(c.rowRetries, 0, r.stderr);
        assert.equal(writtenRows(log), ROWS);
        await assertTableIsInput(emu.endpoint, 'busy', ROWS);
      } finally {
        await emu.stop();
      }
    }
    // Rows: 10% of the rows fail with OTSTimeout (not written); each is sent again, in update
    // mode and with --if-absent (read back first: absent, so sent again).
    for (const [table, args] of [['rowtimeout', []], ['rowtimeout_absent', ['--if-absent']]]) {
      const emu = await startEmulator({ args: ['--log-level', 'debug', '--fault', 'BatchWriteRow:OTSTimeout:0.1:rows'] });
      try {
        const spec = writeJobSpec(dir, table, { endpoint: emu.endpoint, table, columns: COLUMNS, mapping: MAPPING });
        const r = await runTsbridge(['export', '--spec', spec, '--input', input, '--create-table', ...args]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, / 0 rejected,/, r.stderr);
        const log = requestLines(emu);
        const c = summaryCounts(r.stderr);
        assert.equal(c.requests, log.length, r.stderr);
        assert.equal(c.refused, 0, r.stderr);
        // The log counts the rows each request wrote: each row once, although about 10% of
        // the rows sent failed and were sent again (10% of ROWS / 0.9, give or take).
        assert.equal(writtenRows(log), ROWS);
        assert.ok(c.rowRetries > ROWS * 0.07 && c.rowRetries < ROWS * 0.16, r.stderr);
        // --if-absent: each timed-out row was read back (absent) before it was sent again.
        assert.equal(c.readBack, args.length ? c.rowRetries : 0, r.stderr);
        await assertTableIsInput(emu.endpoint, table, ROWS);
      } finally {
        await emu.stop();
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// The emulator prints, when it stops, how many requests each --fault rule chose.
function faultHits(emu, rule) {
  const m = new RegExp(`fault +${rule.replace(/[*]/g, '\\*')}: (\\d+) requests`).exec(emu.stderr());
  assert.ok(m, emu.stderr());
  return Number(m[1]);
}

test('each connection fault alone: export ends with the table equal to its input', { timeout: 120000 }, async () => {
  const dir = tempDir('tsb-net-kinds-').dir;
  const ROWS = 4000;  // 20 BatchWriteRow requests of 200 rows
  const input = writeInput(dir, ROWS);
  try {
    const kinds = [
      // Half: libcurl sends a request whose reused connection closed unanswered once more by
      // itself, so only a drop that also takes that resend reaches tsbridge.
      ['drop_before', 'BatchWriteRow:drop-before:0.5'],
      ['drop_after', 'BatchWriteRow:drop-after:0.5'],
      ['truncate', 'BatchWriteRow:truncate:0.25'],
      // A stall: the chosen requests are held 1.5 s, past the client's 1 s attempt, and still
      // write once they run.
      ['stall', 'BatchWriteRow:delay:0.25:1500'],
    ];
    for (const [table, rule] of kinds) {
      const emu = await startEmulator({ args: ['--fault', rule] });
      let r;
      try {
        const spec = writeJobSpec(dir, table, { endpoint: emu.endpoint, table, columns: COLUMNS, mapping: MAPPING });
        const started = Date.now();
        r = await runTsbridge(['export', '--spec', spec, '--input', input, '--create-table', '--request-timeout', '1',
          '--summary', path.join(dir, `${table}.summary.json`)]);
        assert.equal(r.code, 0, `${rule}: ${r.stderr}`);
        assert.match(r.stderr, / 0 rejected,/, r.stderr);
        await assertTableIsInput(emu.endpoint, table, ROWS);
        console.log(`${rule}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
      } finally {
        await emu.stop();
      }
      const hits = faultHits(emu, rule);
      assert.ok(hits >= 1, `${rule}: chose no request`);
      // A request the fault hit goes unanswered, and export counts it as refused and sends its
      // rows again, unless libcurl's own resend (a reused connection closed before any byte of
      // the answer is sent again once, on a fresh one) got the answer first.
      const c = summaryCounts(r.stderr);
      assert.ok(c.refused >= 1, `${rule}: ${hits} hits; ${r.stderr}`);
      // The summary file counts the same: every request sent (DescribeTable and CreateTable too),
      // and each unanswered BatchWriteRow as a retry.
      const summary = JSON.parse(fs.readFileSync(path.join(dir, `${table}.summary.json`), 'utf8'));
      assert.ok(summary.requests >= c.requests + 2, JSON.stringify(summary));
      assert.ok(summary.retries >= c.refused, JSON.stringify(summary));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('--request-timeout and --retry-deadline: a positive finite number of seconds, else exit 2', { timeout: 60000 }, async () => {
  const dir = tempDir('tsb-net-flags-').dir;
  try {
    const input = writeInput(dir, 10);
    const spec = writeJobSpec(dir, 'spec', { endpoint: 'http://127.0.0.1:9', table: 't', columns: COLUMNS, mapping: MAPPING });
    for (const flag of ['--request-timeout', '--retry-deadline']) {
      for (const value of ['0', '-1', 'nan', 'inf', '1e999', 'abc', '']) {
        for (const args of [['export', '--spec', spec, '--input', input], ['import', '--spec', spec, '--output', path.join(dir, 'o.csv')]]) {
          const r = await runTsbridge([...args, flag, value]);
          assert.equal(r.code, 2, `${args[0]} ${flag} ${value}: ${r.stderr}`);
          assert.ok(r.stderr.includes(flag), r.stderr);
        }
      }
      // A good value is taken: the run goes on to find nothing listening (exit 1).
      const r = await runTsbridge(['export', '--spec', spec, '--input', input, flag, '0.5']);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /cannot connect to http:\/\/127\.0\.0\.1:9/);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
