// Usage errors a new user meets first: an unknown subcommand or flag is named with the closest
// match, `tsbridge help [SUBCOMMAND]` and -V work, and every usage error exits 2 on stderr and
// points to --help. None of these needs an emulator: nothing is read or written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runTsbridge, describeRun } from './lib.mjs';

test('an unknown subcommand is named, with the closest one', async () => {
  const r = await runTsbridge(['imprt', '--spec', 'x.json']);
  assert.equal(r.code, 2, describeRun(r));
  assert.match(r.stderr, /unknown subcommand "imprt"; did you mean `import`\?/);
  assert.match(r.stderr, /Run 'tsbridge --help'/);
  assert.equal(r.stdout.length, 0);
  const far = await runTsbridge(['frobnicate']);
  assert.equal(far.code, 2);
  assert.doesNotMatch(far.stderr, /did you mean/, 'no suggestion when nothing is close');
});

test('an unknown flag is named before anything else, with the closest flag of that subcommand', async () => {
  const bogus = await runTsbridge(['import', '--bogus']);
  assert.equal(bogus.code, 2, describeRun(bogus));
  assert.match(bogus.stderr, /tsbridge import: unknown flag --bogus\n/, 'not "--spec is required"');
  const typo = await runTsbridge(['export', '--spec', 'x.json', '--paralel', '3']);
  assert.equal(typo.code, 2, describeRun(typo));
  assert.match(typo.stderr, /unknown flag --paralel; did you mean `--parallel`\?/);
  assert.match(typo.stderr, /Run 'tsbridge export --help'/);
  const emu = await runTsbridge(['emulator', '--lisen', '127.0.0.1:0']);
  assert.equal(emu.code, 2, describeRun(emu));
  assert.match(emu.stderr, /did you mean `--listen`\?/);
});

test('a flag value that starts with "-" is a value, not a flag', async () => {
  // Exit 2 for the missing spec file, not for an "unknown flag -k > 1".
  const r = await runTsbridge(['import', '--spec', '/nonexistent/spec.json', '--where', '-k > 1', '--explain']);
  assert.equal(r.code, 2, describeRun(r));
  assert.doesNotMatch(r.stderr, /unknown flag/);
  assert.match(r.stderr, /spec\.json/);
});

test('tsbridge help, help SUBCOMMAND and -V', async () => {
  const top = await runTsbridge(['help']);
  assert.equal(top.code, 0, describeRun(top));
  for (const sub of ['import', 'export', 'emulator']) assert.match(top.stdout.toString(), new RegExp(`\\b${sub}\\b`));
  const sub = await runTsbridge(['help', 'export']);
  assert.equal(sub.code, 0, describeRun(sub));
  const direct = await runTsbridge(['export', '--help']);
  assert.equal(sub.stdout.toString(), direct.stdout.toString(), 'the same text as export --help');
  assert.match(sub.stdout.toString(), /file -> Tablestore/);
  const version = await runTsbridge(['-V']);
  assert.equal(version.code, 0);
  assert.match(version.stdout.toString(), /^tsbridge \d+\.\d+\.\d+/);
  const unknown = await runTsbridge(['help', 'imprt']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /did you mean `import`/);
});
