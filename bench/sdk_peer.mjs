// The peer of the benchmark: the official Tablestore Node.js SDK (npm `tablestore`, pinned by
// tests/package-lock.json) doing what `tsbridge import` / `tsbridge export` do, written the way
// the SDK's documentation shows it (getRange paged by nextStartPrimaryKey; batchWriteRow with
// PUT rows and an IGNORE condition):
//
//   node bench/sdk_peer.mjs import ENDPOINT INSTANCE TABLE OUT.csv
//       GetRange pages of 5000 rows (the service's maximum) over the whole table, each row
//       appended to a CSV file (header + RFC 4180 quoting where needed).
//   node bench/sdk_peer.mjs export ENDPOINT INSTANCE TABLE IN.csv
//       the CSV read line by line, 200 rows per BatchWriteRow, 4 requests in flight.
//   node bench/sdk_peer.mjs scan|load ENDPOINT INSTANCE TABLE ROWS
//       the emulator alone through the SDK, without file I/O: scan counts the rows of the
//       table; load writes ROWS synthetic rows of the same shape (200 rows a request, 4 in flight).
//
// The key pair comes from ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET. The
// table is the bench's orders table: PK (o_orderkey INTEGER, o_orderdate STRING), attributes
// o_custkey (INTEGER), o_orderstatus (STRING), o_totalprice (DOUBLE), o_comment (STRING).
// Prints `rows=N seconds=S rows_per_sec=R` on stdout.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', 'tests', 'package.json'));
const TableStore = require('tablestore');
const Long = TableStore.Long;

const [mode, endpoint, instancename, tableName, arg] = process.argv.slice(2);
if (!arg) {
  console.error('usage: sdk_peer.mjs import|export|scan|load ENDPOINT INSTANCE TABLE FILE|ROWS');
  process.exit(2);
}
const client = new TableStore.Client({
  accessKeyId: process.env.ALIBABA_CLOUD_ACCESS_KEY_ID,
  secretAccessKey: process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
  endpoint,
  instancename,
});

const call = (op, params) => new Promise((resolve, reject) => {
  client[op](params, (err, data) => (err ? reject(err) : resolve(data)));
});

const COLUMNS = ['o_orderkey', 'o_orderdate', 'o_custkey', 'o_orderstatus', 'o_totalprice', 'o_comment'];

function csvField(v) {
  const s = String(v);
  return /[",\r\n]/.test(s) ? '"' + s.replaceAll('"', '""') + '"' : s;
}

// RFC 4180 split of one physical line (the bench's files have no line breaks inside fields).
function splitCsv(line) {
  if (line.indexOf('"') < 0) return line.split(',');
  const out = [];
  let i = 0;
  while (i <= line.length) {
    let field = '';
    if (line[i] === '"') {
      ++i;
      while (i < line.length) {
        if (line[i] === '"') {
          if (line[i + 1] === '"') { field += '"'; i += 2; } else { ++i; break; }
        } else field += line[i++];
      }
      const comma = line.indexOf(',', i);
      i = comma < 0 ? line.length + 1 : comma + 1;
    } else {
      const comma = line.indexOf(',', i);
      field = comma < 0 ? line.slice(i) : line.slice(i, comma);
      i = comma < 0 ? line.length + 1 : comma + 1;
    }
    out.push(field);
  }
  return out;
}

async function scanAll(onRow) {
  let start = [{ o_orderkey: TableStore.INF_MIN }, { o_orderdate: TableStore.INF_MIN }];
  const end = [{ o_orderkey: TableStore.INF_MAX }, { o_orderdate: TableStore.INF_MAX }];
  let rows = 0;
  while (start) {
    const data = await call('getRange', {
      tableName,
      direction: TableStore.Direction.FORWARD,
      inclusiveStartPrimaryKey: start,
      exclusiveEndPrimaryKey: end,
      limit: 5000,
    });
    for (const row of data.rows) { onRow(row); ++rows; }
    start = data.nextStartPrimaryKey
      ? data.nextStartPrimaryKey.map((c) => ({ [c.name]: c.value }))
      : null;
  }
  return rows;
}

async function writeAll(rowSource) {
  const inFlight = new Set();
  let batch = [];
  let rows = 0;
  const send = (chunk) => {
    const p = call('batchWriteRow', {
      tables: [{ tableName, rows: chunk }],
    }).then((data) => {
      for (const t of data.tables) {
        if (!t.isOk) throw new Error(`row failed: ${JSON.stringify(t.error)}`);
      }
    });
    const tracked = p.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    return tracked;
  };
  for await (const r of rowSource) {
    batch.push(r);
    ++rows;
    if (batch.length === 200) {
      send(batch);
      batch = [];
      if (inFlight.size >= 4) await Promise.race(inFlight);
    }
  }
  if (batch.length) send(batch);
  await Promise.all(inFlight);
  return rows;
}

function putRow(f) {
  return {
    type: 'PUT',
    condition: new TableStore.Condition(TableStore.RowExistenceExpectation.IGNORE, null),
    primaryKey: [{ o_orderkey: Long.fromString(f[0]) }, { o_orderdate: f[1] }],
    attributeColumns: [
      { o_custkey: Long.fromString(f[2]) },
      { o_orderstatus: f[3] },
      { o_totalprice: Number(f[4]) },
      { o_comment: f[5] },
    ],
    returnContent: { returnType: TableStore.ReturnType.NONE },
  };
}

const started = process.hrtime.bigint();
let rows = 0;
if (mode === 'import') {
  const out = fs.createWriteStream(arg);
  let buf = COLUMNS.join(',') + '\n';
  rows = await scanAll((row) => {
    const v = {};
    for (const c of row.primaryKey) v[c.name] = c.value;
    for (const c of row.attributes) v[c.columnName] = c.columnValue;
    buf += COLUMNS.map((name) => (v[name] === undefined ? '' : csvField(v[name]))).join(',') + '\n';
    if (buf.length > 1 << 20) { out.write(buf); buf = ''; }
  });
  out.write(buf);
  await new Promise((resolve, reject) => out.end((err) => (err ? reject(err) : resolve())));
} else if (mode === 'export') {
  const rl = readline.createInterface({ input: fs.createReadStream(arg), crlfDelay: Infinity });
  async function* source() {
    let header = true;
    for await (const line of rl) {
      if (header) { header = false; continue; }
      if (line.length) yield putRow(splitCsv(line));
    }
  }
  rows = await writeAll(source());
} else if (mode === 'scan') {
  rows = await scanAll(() => {});
} else if (mode === 'load') {
  const n = Number(arg);
  async function* source() {
    for (let i = 0; i < n; ++i) {
      yield putRow([String(i + 1), '1995-01-01', String(1 + (i * 7919) % 150000), 'F',
        String(1000 + (i % 5000) / 100), 'careful requests haggle slyly above the ironic deposits']);
    }
  }
  rows = await writeAll(source());
} else {
  console.error(`unknown mode ${mode}`);
  process.exit(2);
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(`rows=${rows} seconds=${seconds.toFixed(3)} rows_per_sec=${(rows / seconds).toFixed(0)}`);
