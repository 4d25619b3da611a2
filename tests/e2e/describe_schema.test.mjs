// `tsbridge describe --json` against its schema, docs/describe.schema.json. No JSON Schema package
// is among the test oracles, so this file carries a small validator of the keywords the schema
// uses (type, required, properties, additionalProperties, enum, items, local $ref); any other
// keyword makes it throw, so that a schema edit cannot pass by being silently ignored. It is shown
// to reject broken documents first, then real reports of every kind are validated.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Long, startEmulator, createTable, bulkPut, runTsbridge, describeRun, tempDir, writeSpec, guideSpec,
  client as sdkClient, GUIDE_COLUMNS, INSTANCE, ORDERS_TABLE,
} from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const SCHEMA = JSON.parse(readFileSync(path.resolve(here, '../../docs/describe.schema.json'), 'utf8'));

const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description', '$defs']);

function typeOf(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;  // string, boolean, object
}

function resolveRef(root, ref) {
  if (!ref.startsWith('#/')) throw new Error(`unsupported $ref ${ref}`);
  let node = root;
  for (const part of ref.slice(2).split('/')) {
    node = node?.[part];
    if (node === undefined) throw new Error(`$ref ${ref} does not resolve`);
  }
  return node;
}

// The errors of `value` against `schema`, each "JSON path: what is wrong".
export function validate(value, schema, root = schema, at = '$') {
  const errors = [];
  for (const key of Object.keys(schema)) {
    if (!ANNOTATIONS.has(key) && !['type', 'required', 'properties', 'additionalProperties', 'enum',
      'items', '$ref'].includes(key)) {
      throw new Error(`${at}: the validator does not know the keyword "${key}"`);
    }
  }
  if (schema.$ref) errors.push(...validate(value, resolveRef(root, schema.$ref), root, at));
  if (schema.type) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    const t = typeOf(value);
    if (!types.includes(t) && !(t === 'integer' && types.includes('number'))) {
      errors.push(`${at}: expected ${types.join(' or ')}, got ${t}`);
      return errors;
    }
  }
  if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    errors.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  }
  if (typeOf(value) === 'object') {
    for (const name of schema.required || []) {
      if (!(name in value)) errors.push(`${at}: "${name}" is required`);
    }
    const props = schema.properties || {};
    for (const [name, v] of Object.entries(value)) {
      if (name in props) {
        errors.push(...validate(v, props[name], root, `${at}.${name}`));
      } else if (schema.additionalProperties === false) {
        errors.push(`${at}: "${name}" is not allowed`);
      } else if (typeof schema.additionalProperties === 'object') {
        errors.push(...validate(v, schema.additionalProperties, root, `${at}.${name}`));
      }
    }
  }
  if (typeOf(value) === 'array' && schema.items) {
    value.forEach((v, i) => errors.push(...validate(v, schema.items, root, `${at}[${i}]`)));
  }
  return errors;
}

let emu;
let sdk;
let tmp;
const reports = [];  // [what, report] of every real run

async function describeJson(what, spec, args = []) {
  const file = writeSpec(tmp.file(`${reports.length}.json`), spec);
  const r = await runTsbridge(['describe', '--spec', file, '--json', ...args], { endpoint: emu.endpoint });
  assert.ok(r.code === 0 || r.code === 2, `${what}: ${describeRun(r)}`);
  const report = JSON.parse(r.stdout.toString());
  assert.equal(report.exit_code, r.code, what);
  reports.push([what, report]);
  return report;
}

before(async () => {
  tmp = tempDir('tsb-describe-schema-');
  emu = await startEmulator();
  sdk = sdkClient(emu.endpoint);
  await createTable(sdk, ORDERS_TABLE, [{ name: 'o_orderkey', type: 'INTEGER' }, { name: 'o_orderdate', type: 'STRING' }]);
  const rows = [];
  for (let i = 0; i < 300; i++) {
    rows.push({
      primaryKey: [{ o_orderkey: Long.fromNumber(i) }, { o_orderdate: `1996-01-${String(1 + (i % 28)).padStart(2, '0')}` }],
      attributeColumns: [
        { o_custkey: i === 9 ? 'not a number' : Long.fromNumber(1000 + i) }, { o_orderstatus: 'O' },
        { o_totalprice: 10.5 * i }, { o_comment: `comment ${i}` },
      ],
    });
  }
  await bulkPut(sdk, ORDERS_TABLE, rows);
});

after(async () => {
  await emu?.stop();
  tmp?.cleanup();
});

test('the validator rejects broken documents and names where', () => {
  const good = {
    tablestore: { endpoint: 'http://h', instance: 'i', table: 't', region: null, role_arn: null },
    table: {
      primary_key: [{ name: 'k', type: 'INTEGER', auto_increment: false }], defined_columns: [],
      options: { time_to_live: -1, max_versions: 1, max_time_deviation: 86400 },
      reserved_throughput: { read: 0, write: 0 },
      size: { splits: 1, split_size_bytes: 268435456, estimated_bytes_at_most: 1048576 },
    },
    mapping: [{ column: 'k', local_type: 'bigint', tablestore_column: 'k', tablestore_type: 'INTEGER', kind: 'primary_key', types_seen: [], rows_seen: 0 }],
    mapping_text: ':k',
    external_table: { storage_handler: 'com.aliyun.odps.TableStoreStorageHandler', location: null, serde_properties: { 'tablestore.columns.mapping': ':k', 'tablestore.table.name': 't' } },
    sample: { requested: 1000, rows: 0, splits_sampled: 1, attributes: [{ name: 'a', rows: 1, types: [{ type: 'STRING', count: 1 }] }] },
    findings: [], errors: 0, warnings: 0, exit_code: 0,
  };
  assert.deepEqual(validate(good, SCHEMA), []);
  const broken = (edit) => { const d = structuredClone(good); edit(d); return validate(d, SCHEMA); };
  assert.deepEqual(broken((d) => { delete d.mapping_text; }), ['$: "mapping_text" is required']);
  assert.deepEqual(broken((d) => { d.secret = 'x'; }), ['$: "secret" is not allowed']);
  assert.deepEqual(broken((d) => { d.table.size.splits = 1.5; }), ['$.table.size.splits: expected integer, got number']);
  assert.deepEqual(broken((d) => { d.tablestore.region = 7; }), ['$.tablestore.region: expected string or null, got integer']);
  assert.deepEqual(broken((d) => { d.mapping[0].kind = 'key'; }),
    ['$.mapping[0].kind: "key" is not one of ["primary_key","attribute"]']);
  assert.deepEqual(broken((d) => { d.sample.attributes[0].types[0].type = 'TEXT'; }),
    ['$.sample.attributes[0].types[0].type: "TEXT" is not one of ["INTEGER","DOUBLE","BOOLEAN","STRING","BINARY"]']);
  assert.deepEqual(broken((d) => { d.findings.push({ code: 'pk_missing' }); }).length, 7);
  assert.deepEqual(broken((d) => { d.findings = {}; }), ['$.findings: expected array, got object']);
  assert.deepEqual(broken((d) => { d.exit_code = 1; }), ['$.exit_code: 1 is not one of [0,2]']);
  assert.throws(() => validate(1, { minimum: 0 }), /does not know the keyword "minimum"/);
});

test('real reports validate: key findings, attribute findings, no sample, a location', async () => {
  const guide = await describeJson('guide', guideSpec(emu.endpoint));
  assert.deepEqual(guide.findings.map((f) => f.code), ['value_would_reject', 'attribute_not_mapped']);
  await describeJson('pk missing', guideSpec(emu.endpoint, {
    columns: GUIDE_COLUMNS.filter((c) => c.name !== 'odps_orderdate'),
    mapping: ':o_orderkey,o_custkey,o_orderstatus,o_totalprice',
  }));
  const [key, date, ...rest] = GUIDE_COLUMNS;
  await describeJson('swapped', guideSpec(emu.endpoint, {
    columns: [date, key, ...rest], mapping: ':o_orderdate,:o_orderkey,o_custkey,o_orderstatus,o_totalprice',
  }));
  await describeJson('typo and a reject', guideSpec(emu.endpoint, {
    columns: [...GUIDE_COLUMNS, { name: 'odps_comment', type: 'bigint' }, { name: 'ts', type: 'timestamp' }],
    mapping: ':o_orderkey,:o_orderdate,o_custkye,o_orderstatus,o_totalprice,o_comment,o_ts',
  }));
  await describeJson('no sample', guideSpec(emu.endpoint), ['--sample', '0']);
  await describeJson('a location', guideSpec(undefined, {
    tablestore: { endpoint: undefined, instance: undefined, location: `tablestore://${INSTANCE}.cn-hangzhou.ots.aliyuncs.com` },
  }));
  const seen = new Set(reports.flatMap(([, r]) => r.findings.map((f) => f.code)));
  for (const code of ['pk_missing', 'pk_order', 'attribute_not_seen', 'type_cannot_hold', 'value_would_reject', 'attribute_not_mapped']) {
    assert.ok(seen.has(code), `no report had ${code}: ${[...seen]}`);
  }
  for (const [what, report] of reports) {
    assert.deepEqual(validate(report, SCHEMA), [], `${what}: ${JSON.stringify(report)}`);
  }
});
