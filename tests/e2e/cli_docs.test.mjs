// What tsbridge says about itself: every subcommand's --help has examples, credentials and exit
// codes; the man pages (tsbridge __man) render without a warning and list exactly the flags
// --help lists; the bash completion, driven as bash drives it, offers subcommands, flags, the
// values of enumerated flags and file names; zsh and fish load theirs; --version says what was
// built. Nothing here needs an emulator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '../..');
const BIN = process.env.TSBRIDGE_BIN || path.join(ROOT, 'build/release/tsbridge');
const BIN_DIR = path.dirname(BIN);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (r.error) throw r.error;
  return r;
}
const tsb = (...args) => run(BIN, args);
const has = (program) => run('sh', ['-c', `command -v ${program}`]).status === 0;

// Every subcommand path with flags of its own: ['import'], ['spec', 'from-ddl'], ...
function leaves() {
  const out = [];
  for (const sub of tsb('__man', '--list').stdout.split('\n').filter(Boolean)) {
    const nested = tsb('__complete', sub, '').stdout.split('\n').filter(Boolean);
    if (nested.length && !nested[0].startsWith(':') && !nested[0].startsWith('-')) {
      for (const n of nested) out.push([sub, n]);
    } else {
      out.push([sub]);
    }
  }
  return out;
}

// The flags of CLI11's --help: the first column of the "Options:" lines.
function helpFlags(words) {
  const text = tsb(...words, '--help').stdout;
  const section = text.split('\nOptions:\n')[1].split('\n\n')[0];
  const flags = new Set();
  for (const line of section.split('\n')) {
    const m = /^  (-\S+)/.exec(line);
    if (m) for (const f of m[1].split(',')) flags.add(f);
  }
  return flags;
}

// The flags of a man page's OPTIONS, per `.SS` subsection for a group's page.
function manFlags(roff, subsection) {
  let body = roff.split('\n.SH OPTIONS\n')[1].split('\n.SH ')[0];
  if (subsection) {
    const start = body.indexOf(`.SS "${subsection.replace(/-/g, '\\-')}"\n`);
    assert.ok(start >= 0, `no .SS for ${subsection}`);
    body = body.slice(start).split('\n').slice(1).join('\n').split('\n.SS ')[0];
  }
  const flags = new Set();
  const lines = body.split('\n');
  for (let i = 0; i < lines.length; ++i) {
    if (lines[i] !== '.TP') continue;
    const names = lines[i + 1].replace(/\\f[BIR]/g, '').replace(/\\-/g, '-');
    for (const token of names.split(/,? /)) {
      if (!token.startsWith('-')) break;
      flags.add(token);
    }
  }
  return flags;
}

test('--help of every subcommand has examples, where credentials come from, and the exit codes', () => {
  const all = leaves();
  assert.ok(all.length >= 9, JSON.stringify(all));
  const exitTexts = new Map();
  for (const words of [...all, ['spec'], ['auth']]) {
    const r = tsb(...words, '--help');
    assert.equal(r.status, 0, words.join(' '));
    const text = r.stdout;
    assert.match(text, /\nExamples:\n  tsbridge /, words.join(' '));
    const examples = text.split('\nExamples:\n')[1].split('\n\n')[0].split('\n').filter((l) => /^  \S/.test(l));
    assert.ok(examples.length >= 2, `${words.join(' ')}: ${examples.length} examples`);
    const exit = /\nExit codes: ([^]*)$/.exec(text);
    assert.ok(exit, `${words.join(' ')}: no exit codes`);
    assert.match(exit[1], /^0 [^;]+; 1 [^;]+; 2\s/);
    exitTexts.set(words.join(' '), exit[1].replace(/\s+/g, ' '));
    // Whatever talks to Tablestore says where its credentials come from; nothing takes a secret.
    if (helpFlags(words).has('--profile')) {
      assert.match(text, /Credentials are never a flag/, words.join(' '));
      assert.match(text, /~\/\.alibabacloud\/credentials/);
    }
  }
  // One text for the same codes: import's and export's come from one place.
  assert.equal(exitTexts.get('import'), exitTexts.get('export'));
  assert.match(exitTexts.get('import'), /3 rows rejected[^;]*; 4 authentication[^;]*; 130\/143/);
  assert.match(exitTexts.get('emulator'), /0 stopped by SIGINT\/SIGTERM/);
  // Every enumerated value --help shows is the one the flag accepts.
  assert.match(tsb('import', '--help').stdout, /--format \{csv,jsonl,parquet\}/);
  assert.match(tsb('import', '--help').stdout, /--compression \{snappy,zstd,gzip,lz4_raw,brotli,none\}/);
});

test('man pages: one per subcommand, every section, rendering without a warning', (t) => {
  const tmp = tempDir('tsb-man-');
  t.after(() => tmp.cleanup());
  const dir = tmp.dir;
  const subs = tsb('__man', '--list').stdout.split('\n').filter(Boolean);
  assert.deepEqual([...subs].sort(), ['auth', 'describe', 'emulator', 'export', 'import', 'spec', 'verify']);
  for (const page of ['', ...subs]) {
    const r = tsb('__man', ...(page ? [page] : []));
    assert.equal(r.status, 0, r.stderr);
    const file = path.join(dir, page ? `tsbridge-${page}.1` : 'tsbridge.1');
    fs.writeFileSync(file, r.stdout);
    const roff = r.stdout;
    assert.match(roff, new RegExp(`^\\.TH ${page ? `TSBRIDGE\\\\-${page.toUpperCase().replace(/-/g, '\\\\-')}` : 'TSBRIDGE'} 1 `));
    const sections = [...roff.matchAll(/^\.SH (.+)$/gm)].map((m) => m[1]);
    const expected = ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'OPTIONS', 'EXAMPLES', 'ENVIRONMENT',
      ...(page === 'emulator' ? [] : ['FILES']), 'EXIT STATUS', 'SEE ALSO'];
    assert.deepEqual(sections, expected, page);
    const env = roff.split('\n.SH ENVIRONMENT\n')[1].split('\n.SH ')[0].replace(/\\-/g, '-');
    if (page === 'emulator') {
      assert.match(env, /TSBRIDGE_EMULATOR_ACCESS_KEY_ID/);
    } else {
      for (const v of ['ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALIBABA_CLOUD_SECURITY_TOKEN',
        'ALIBABA_CLOUD_PROFILE', 'ALIBABA_CLOUD_CREDENTIALS_FILE', 'TSBRIDGE_ENDPOINT', 'TSBRIDGE_STS_ENDPOINT']) {
        assert.match(env, new RegExp(`^\\.B ${v}$`, 'm'), `${page}: ${v}`);
      }
      assert.match(roff, /~\/\.alibabacloud\/credentials/);
      assert.match(roff, /~\/\.aliyun\/config\.json/);
    }
    // Clean rendering: groff's warnings on, man's own checks on, nothing on stderr.
    const groff = run('groff', ['-ww', '-man', '-z', file]);
    assert.equal(groff.status, 0, groff.stderr);
    assert.equal(groff.stderr, '', `${file}: groff: ${groff.stderr}`);
    const man = run('man', ['--warnings', '-E', 'UTF-8', '-l', file], { env: { ...process.env, MANWIDTH: '80', MAN_KEEP_FORMATTING: '' } });
    assert.equal(man.status, 0, man.stderr);
    assert.equal(man.stderr, '', `${file}: man: ${man.stderr}`);
    assert.match(man.stdout, /EXIT STATUS/);
  }
});

test('each man page lists exactly the flags --help lists, both ways', () => {
  for (const words of leaves()) {
    const roff = tsb('__man', words[0]).stdout;
    const fromMan = manFlags(roff, words.length > 1 ? `tsbridge ${words.join(' ')}` : null);
    const fromHelp = helpFlags(words);
    assert.ok(fromHelp.has('--help') && fromHelp.size >= 2, words.join(' '));
    assert.deepEqual([...fromMan].sort(), [...fromHelp].sort(), words.join(' '));
  }
  const top = manFlags(tsb('__man').stdout, null);
  assert.deepEqual([...top].sort(), [...helpFlags([])].sort());
});

// COMPREPLY of the bash completion for the command line `words`, the last being completed.
function bashComplete(words, cwd) {
  const script = `source ${JSON.stringify(path.join(ROOT, 'completions/tsbridge.bash'))}
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')})
COMP_CWORD=${words.length - 1}
_tsbridge
printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = run('bash', ['-c', script], { cwd, env: { ...process.env, PATH: `${BIN_DIR}:${process.env.PATH}` } });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter(Boolean).sort();
}

test('bash completion: subcommands, nested ones, flags, enumerated values, file and directory names', (t) => {
  const tmp = tempDir('tsb-complete-');
  t.after(() => tmp.cleanup());
  const dir = tmp.dir;
  fs.writeFileSync(path.join(dir, 'orders.csv'), '');
  fs.writeFileSync(path.join(dir, 'orders.json'), '{}');
  fs.writeFileSync(path.join(dir, 'other.txt'), '');
  fs.mkdirSync(path.join(dir, 'store'));
  const c = (...words) => bashComplete(['tsbridge', ...words], dir);
  assert.deepEqual(c(''), ['auth', 'describe', 'emulator', 'export', 'help', 'import', 'spec', 'verify']);
  assert.deepEqual(c('e'), ['emulator', 'export']);
  assert.deepEqual(c('help', 'sp'), ['spec']);
  assert.deepEqual(c('spec', ''), ['check', 'from-ddl', 'init', 'to-ddl']);
  assert.deepEqual(c('auth', 'a'), ['assume-role']);
  assert.deepEqual(c('import', '--max-'), ['--max-cu-per-sec', '--max-errors', '--max-rows-per-sec']);
  assert.deepEqual(c('auth', 'policy', '--'), ['--cross-account', '--for-maxcompute', '--help', '--log-format',
    '--log-level', '--progress', '--quiet', '--read-only', '--spec', '--verbose', '--write-only']);
  // Every flag of a subcommand, no more: the completion reads the same tree as --help.
  for (const words of [['import'], ['export'], ['emulator'], ['spec', 'init'], ['describe']]) {
    const longs = [...helpFlags(words)].filter((f) => f.startsWith('--')).sort();
    assert.deepEqual(c(...words, '--'), longs, words.join(' '));
  }
  assert.deepEqual(c('export', '--mode', ''), ['put', 'update']);
  assert.deepEqual(c('export', '--nulls', 'd'), ['delete']);
  assert.deepEqual(c('import', '--format', ''), ['csv', 'jsonl', 'parquet']);
  assert.deepEqual(c('import', '--format', '=', 'j'), ['jsonl'], 'bash splits --format=j at the =');
  assert.deepEqual(c('import', '--compression', 'l'), ['lz4_raw']);
  assert.deepEqual(c('emulator', '--log-level', ''), ['debug', 'error', 'info', 'warn']);
  assert.deepEqual(c('import', '-v', '--log-format', ''), ['json', 'text']);
  assert.deepEqual(c('auth', 'check', '--for', ''), ['export', 'import']);
  // A flag taking a file, a positional file, and --data taking a directory.
  assert.deepEqual(c('export', '--spec', 'x.json', '-i', 'ord'), ['orders.csv', 'orders.json']);
  assert.deepEqual(c('import', '--spec', 'orders.json', '--output', 'o'), ['orders.csv', 'orders.json', 'other.txt']);
  assert.deepEqual(c('spec', 'check', 'orders.j'), ['orders.json']);
  assert.deepEqual(c('emulator', '--data', ''), ['store']);
  // After a value, flags again; a free-text value gets no made-up candidates.
  assert.deepEqual(c('export', '--mode', 'put', '--if-'), ['--if-absent']);
  assert.deepEqual(c('import', '--where', ''), []);
});

test('zsh and fish load their completions; fish completes from the binary', { skip: !(has('zsh') && has('fish')) && 'zsh or fish is not installed (scripts/install-deps.sh installs both)' }, () => {
  const zsh = run('zsh', ['-n', path.join(ROOT, 'completions/_tsbridge')]);
  assert.equal(zsh.status, 0, zsh.stderr);
  const fishFile = path.join(ROOT, 'completions/tsbridge.fish');
  const fishSyntax = run('fish', ['-n', fishFile]);
  assert.equal(fishSyntax.status, 0, fishSyntax.stderr);
  const fish = (line) => {
    const r = run('fish', ['--no-config', '-c', `source ${fishFile}; complete -C${JSON.stringify(line)}`],
      { env: { ...process.env, PATH: `${BIN_DIR}:${process.env.PATH}` } });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.split('\n').filter(Boolean).map((l) => l.split('\t')[0]).sort();
  };
  assert.deepEqual(fish('tsbridge exp'), ['export']);
  assert.deepEqual(fish('tsbridge spec '), ['check', 'from-ddl', 'init', 'to-ddl']);
  assert.deepEqual(fish('tsbridge export --mode '), ['put', 'update']);
  assert.deepEqual(fish('tsbridge import --format=js'), ['--format=jsonl']);
});

test('--version: the version, the commit, the build type and the features compiled in', () => {
  const r = tsb('--version');
  assert.equal(r.status, 0);
  const version = /project\(tsbridge VERSION (\S+)/.exec(fs.readFileSync(path.join(ROOT, 'CMakeLists.txt'), 'utf8'))[1];
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines[0], `tsbridge ${version}`);
  const commit = /^commit: (\S+)$/m.exec(r.stdout)[1];
  if (commit !== 'unknown') {
    assert.match(commit, /^[0-9a-f]{12}$/);
    const known = run('git', ['-C', ROOT, 'cat-file', '-e', `${commit}^{commit}`]);
    assert.equal(known.status, 0, `commit ${commit} is not in this repository`);
  }
  assert.match(r.stdout, /^build type: \S+$/m);
  assert.match(r.stdout, /^formats: csv, jsonl, parquet$/m);
  assert.match(r.stdout, /^parquet codecs: snappy, zstd, gzip, lz4_raw, brotli, none$/m);
  assert.match(r.stdout, /^sanitizers: (none|address, undefined)$/m);
  assert.equal(tsb('-V').stdout, r.stdout);
});
