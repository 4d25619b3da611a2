// Shared helpers of the conformance suite: the official Tablestore Node.js SDK (npm `tablestore`,
// pinned in tests/package-lock.json) against a freshly started `tsbridge emulator`.
//
// The suite proves the emulator's faithfulness with the SDK, not with our own client: every
// request below is built, signed and decoded by the SDK's own code. Where the SDK has no call
// (ComputeSplitPointsBySize) or cannot produce the request a test needs (a stale x-ots-date), the
// request is built from the SDK's compiled protobuf messages and signed by the SDK's Signer.

import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { once } from 'node:events';
import crypto from 'node:crypto';

const require = createRequire(import.meta.url);
export const TableStore = require('tablestore');
export const Long = TableStore.Long;
export const pb = require('tablestore/lib/protocol/tablestore_compiled_proto.js').main.proto;

export const BIN = process.env.TSBRIDGE_BIN;
if (!BIN) throw new Error('TSBRIDGE_BIN must name the tsbridge binary');

// The emulator's key pair for these tests, given by flag so the suite does not depend on the
// development default.
export const KEY_ID = 'conformanceKeyId';
export const KEY_SECRET = 'conformanceKeySecret0123456789';

// The SDK's retry count is process-global; the suite wants every error on the first answer.
TableStore.DefaultRetryPolicy.maxRetryTimes = 0;

// Starts `tsbridge emulator` on a free port and resolves once it prints its one stdout line.
export async function startEmulator({ args = [], keys = true } = {}) {
  const argv = ['emulator', '--listen', '127.0.0.1:0', ...args];
  if (keys) argv.push('--access-key-id', KEY_ID, '--access-key-secret', KEY_SECRET);
  const proc = spawn(BIN, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  let stdout = '';
  const endpoint = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`emulator did not start in 30 s; stderr:\n${stderr}`)), 30000);
    proc.stdout.on('data', (d) => {
      stdout += d;
      const m = /^listening on (http:\/\/[^\s]+)\n/.exec(stdout);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`emulator exited with ${code}; stderr:\n${stderr}`)); });
  });
  return {
    endpoint,
    proc,
    stdout: () => stdout,
    stderr: () => stderr,
    async stop() {
      if (proc.exitCode !== null) return proc.exitCode;
      proc.kill('SIGTERM');
      const [code] = await once(proc, 'exit');
      return code;
    },
    async kill() {
      if (proc.exitCode !== null) return;
      proc.kill('SIGKILL');
      await once(proc, 'exit');
    },
  };
}

export function makeClient(endpoint, { instance = 'conformance', id = KEY_ID, secret = KEY_SECRET } = {}) {
  return new TableStore.Client({
    accessKeyId: id,
    secretAccessKey: secret,
    endpoint,
    instancename: instance,
    maxRetries: 0,
  });
}

// Promise form of an SDK call, with our own deadline: the SDK never settles a call whose response
// is cut mid-body (wire doc C.3).
export function call(client, op, params, deadlineMs = 60000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${op}: no answer in ${deadlineMs} ms`)), deadlineMs);
    client[op](params, (err, data) => {
      clearTimeout(timer);
      if (err) reject(err); else resolve(data);
    });
  });
}

// The SDK cannot parse error bodies: err.code is the HTTP status and err.message the raw protobuf
// Error bytes read as text, plus " requestId:...". This recovers the OTS code and message.
export function otsError(err) {
  const text = String(err && err.message);
  const m = /^\n[\s\S]([A-Za-z]+)(?:\x12([\s\S]*?))? requestId:/.exec(text);
  if (!m) return { status: err && err.code, code: undefined, message: text };
  let message = m[2] || '';
  // Skip the varint length of the message: one byte below 128 (which reads as one character),
  // else two bytes (a lead byte >= 0x80 reads as U+FFFD, the next is a control character).
  if (message.length > 0 && message.charCodeAt(0) === message.length - 1) {
    message = message.slice(1);
  } else {
    message = message.replace(/^[\ufffd\u0000-\u001f]{1,2}/, '');
  }
  return { status: Number(err.code), code: m[1], message };
}

// Resolves to the OTS error of a call that must fail.
export async function expectError(promise) {
  try {
    await promise;
  } catch (err) {
    return otsError(err);
  }
  throw new Error('expected the call to fail, it succeeded');
}

// Sends one request built from the SDK's compiled messages and signed by the SDK's Signer.
// `date` and `secret` can be set to produce refused requests. Returns status, headers and body.
export async function rawRequest(endpoint, op, body, {
  instance = 'conformance', id = KEY_ID, secret = KEY_SECRET, date = new Date(), contentMd5,
} = {}) {
  const url = new URL(`/${op}`, endpoint);
  const request = {
    path: `/${op}`,
    method: 'POST',
    headers: {
      'x-ots-apiversion': '2015-12-31',
      'x-ots-instancename': instance,
      'x-ots-contentmd5': contentMd5 ?? crypto.createHash('md5').update(body).digest('base64'),
    },
  };
  new TableStore.Signer(request).addAuthorization({ accessKeyId: id, secretAccessKey: secret }, date);
  const res = await fetch(url, { method: 'POST', headers: request.headers, body });
  return {
    status: res.status,
    headers: Object.fromEntries(res.headers.entries()),
    body: Buffer.from(await res.arrayBuffer()),
  };
}

export function decodeError(body) {
  return pb.Error.decode(body);
}

// Decodes one PlainBuffer row with the SDK's own decoder.
export function decodeRow(bytes) {
  // The SDK's stream reads buf.buffer from buf.offset to buf.limit, as the SDK's own decoder
  // sets them up for protobufjs byte fields.
  const buf = Buffer.from(bytes);
  buf.limit = buf.offset + buf.length;
  const input = new TableStore.PlainBufferInputStream(buf);
  return new TableStore.PlainBufferCodedInputStream(input).readRow();
}

export function pkOf(row) {
  return row.primaryKey.map((c) => c.value);
}

// Compares the SDK's Int64LE values exactly (toNumber loses precision above 2^53).
export function int64(v) {
  return typeof v === 'object' && v !== null && typeof v.toString === 'function' ? v.toString() : String(v);
}

export function attr(row, name) {
  const cells = row.attributes.filter((a) => a.columnName === name);
  return cells.length ? cells[0].columnValue : undefined;
}

export async function createTable(client, tableName, primaryKey, { maxVersions = 1, timeToLive = -1 } = {}) {
  await call(client, 'createTable', {
    tableMeta: { tableName, primaryKey },
    reservedThroughput: { capacityUnit: { read: 0, write: 0 } },
    tableOptions: { timeToLive, maxVersions },
  });
}

export const IGNORE = () => new TableStore.Condition(TableStore.RowExistenceExpectation.IGNORE, null);

// Writes rows with BatchWriteRow PUTs of at most `per` rows, `inFlight` requests at a time.
export async function bulkPut(client, tableName, rows, { per = 200, inFlight = 4 } = {}) {
  const chunks = [];
  for (let i = 0; i < rows.length; i += per) chunks.push(rows.slice(i, i + per));
  let next = 0;
  async function worker() {
    while (next < chunks.length) {
      const chunk = chunks[next++];
      const data = await call(client, 'batchWriteRow', {
        tables: [{
          tableName,
          rows: chunk.map((r) => ({ type: 'PUT', condition: IGNORE(), primaryKey: r.primaryKey, attributeColumns: r.attributeColumns })),
        }],
      });
      for (const t of data.tables) {
        if (!t.isOk) throw new Error(`bulkPut: row failed: ${JSON.stringify(t.error)}`);
      }
    }
  }
  await Promise.all(Array.from({ length: inFlight }, worker));
}
