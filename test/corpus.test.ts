/**
 * The bad-input corpus: every case in test/corpus/cases.json replaces ONE file of an otherwise
 * healthy-but-broken OpenClaw state dir (the sub-agent was refused a scope) with a damaged or unusual
 * version kept as a file beside the manifest (or made at test time: huge files, symlinks, directories,
 * a locked database, an unreadable file), then runs `clawfix diagnose --json`, `clawfix fix --dry-run`
 * and `clawfix fix --yes` against it and proves, for each:
 *
 *  - no stack trace and no raw JS error on stderr/stdout (`    at …`, TypeError, ReferenceError, …);
 *  - the exit code of the manifest, and either a clear error naming the file or the right diagnosis
 *    (finding ids of the manifest; `diagnose --json` stdout is always one JSON document);
 *  - NEVER a write: the state dir is byte-identical (content, modes, links) after every command —
 *    SQLite's -wal/-shm side files aside (no gateway runs in these cases, so nothing else writes).
 *    The few well-formed-but-unusual inputs (BOM, CRLF) that clawfix must repair declare exactly the
 *    files the repair may write (`writes`) and that their format survived (`keeps`).
 *  - nothing printed holds a planted secret (runCli checks every run) and nothing clawfix leaves under
 *    <state>/clawfix/ does either (assertClawfixDirClean).
 *
 * Manifest fields: see test/corpus/README.md.
 */
import { afterAll, describe, expect, test } from '@jest/globals';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { CLAWFIX_BIN, diffTrees, hashTree, runCli, type RunResult } from './helpers/cli.js';
import { makeStateDir, type Fixture } from './helpers/fixtures.js';
import * as L from './helpers/logs.js';
import { FAST, broken } from './helpers/repair.js';
import { assertClawfixDirClean } from './helpers/secrets.js';
import { healthz, waitFor } from './helpers/wait.js';

const CORPUS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'corpus');

type Target = 'devices/paired.json' | 'devices/pending.json' | 'identity/device-auth.json' | 'identity/device.json' | 'openclaw.json' | 'log' | 'state/openclaw.sqlite';
type Make = 'file' | 'missing' | 'directory' | 'symlink-outside' | 'huge-paired' | 'huge-line-log' | 'locked' | 'unreadable';

interface Expect {
  exit: number;
  /** Finding ids that must be present (diagnose --json, fix --json are not used). */
  findings?: string[];
  /** Finding ids that must NOT be present. */
  notFindings?: string[];
  /** Substrings of stdout+stderr; `{{path}}` is the replaced file's absolute path. */
  text?: string[];
  /** Files (relative to the state dir) the command may write; default none. */
  writes?: string[];
}

interface Case {
  id: string;
  what: string;
  store: 'json' | 'sqlite';
  version?: string;
  /** Which file the case replaces (the config and the log are the fixture's, wherever they are). */
  replaces: Target;
  file?: string;
  make?: Make;
  /** What the baseline's refused sub-agent asked for (default operator.write). */
  request?: 'write' | 'admin';
  /** Put a pending request in the store (default true); false: only the log line shows the refusal. */
  pending?: boolean;
  /** Formats the repair must keep in the files it wrote. */
  keeps?: ('bom' | 'crlf')[];
  /** Formats the repair must remove (a BOM OpenClaw cannot read). */
  drops?: 'bom'[];
  expect: { diagnose: Expect; dryRun: Expect; fix: Expect };
}

interface Manifest {
  cases: Case[];
}

const manifest = JSON.parse(fs.readFileSync(path.join(CORPUS, 'cases.json'), 'utf8')) as Manifest;
const DISCOVER = process.env.CLAWFIX_CORPUS_DISCOVER === '1';
const discovered: Record<string, unknown> = {};

const STACK = /^\s+at .+(:\d+:\d+\)?|\(native\))$|\b(TypeError|ReferenceError|RangeError|SyntaxError|EvalError|AssertionError)\b|Cannot read propert(y|ies) of|is not a function|is not iterable|\[object Object\]|node:internal|ERR_[A-Z_]{4,}/m;

// ---------------------------------------------------------------------------------------------
// building a case
// ---------------------------------------------------------------------------------------------

const live = new Set<Fixture>();
const lockers = new Set<ChildProcess>();

afterAll(async () => {
  for (const c of lockers) c.kill('SIGKILL');
  await Promise.all([...live].map((f) => f.cleanup()));
  if (DISCOVER) {
    const out = path.join(os.tmpdir(), 'clawfix-corpus-discovered.json');
    fs.writeFileSync(out, JSON.stringify(discovered, null, 2));
    console.log(`discovered results written to ${out}`);
  }
});

function targetPath(f: Fixture, t: Target): string {
  switch (t) {
    case 'devices/paired.json':
      return f.paths.paired;
    case 'devices/pending.json':
      return f.paths.pending;
    case 'identity/device-auth.json':
      return f.paths.deviceAuth;
    case 'identity/device.json':
      return f.paths.identity;
    case 'openclaw.json':
      return f.configPath;
    case 'log':
      return f.logFile;
    case 'state/openclaw.sqlite':
      return f.paths.sqlite;
  }
}

interface Vars {
  [k: string]: string;
}

/** `{{name}}`, `{{iso}}` / `{{iso-N}}` (N seconds ago), substituted byte-safely (placeholders and values are ASCII). */
function fill(buf: Buffer, vars: Vars): Buffer {
  const text = buf.toString('latin1').replace(/\{\{([A-Za-z]+)(?:-(\d+))?\}\}/g, (m, name: string, ago?: string) => {
    if (name === 'iso') return new Date(Date.now() - Number(ago ?? 0) * 1000).toISOString();
    const v = vars[name];
    if (v === undefined) throw new Error(`unknown placeholder ${m}`);
    return v;
  });
  return Buffer.from(text, 'latin1');
}

/** Healthy files, one refused sub-agent: a paired device with operator.read, the audit line, usually a pending request. */
async function baseline(c: Case): Promise<{ f: Fixture; vars: Vars }> {
  const asked = c.request === 'admin' ? ['operator.admin'] : ['operator.write'];
  const f = await makeStateDir({
    ...(c.version ? { version: c.version } : { store: c.store }),
    devices: [{ scopes: ['operator.read'] }],
    pending: c.pending === false ? [] : [{ scopes: asked }],
  });
  live.add(f);
  f.appendLog([
    L.listening({ port: f.port, time: Date.now() - 600_000 }),
    L.auditScopeUpgrade({ deviceId: f.deviceId, from: ['operator.read'], to: ['operator.read', ...asked], time: Date.now() - 60_000 }),
  ]);
  const dev = f.readStore().paired[f.deviceId]!;
  const vars: Vars = {
    deviceId: f.deviceId,
    publicKey: dev.publicKey,
    token: f.deviceTokens[f.deviceId]!,
    gatewayToken: f.gatewayToken,
    requestId: f.requestIds[0] ?? crypto.randomUUID(),
    port: String(f.port),
    logFile: f.logFile,
    stateDir: f.stateDir,
    nowMs: String(Date.now() - 30_000),
    dayAgoMs: String(Date.now() - 86_400_000),
  };
  return { f, vars };
}

function removeSqlite(p: string): void {
  for (const s of ['', '-wal', '-shm', '-journal']) fs.rmSync(p + s, { force: true, recursive: true });
}

/** Replace the case's target file; returns what else the runs need (a command prefix to run through, a process to stop). */
async function apply(c: Case, f: Fixture, vars: Vars): Promise<{ via?: string[]; outside?: string; skip?: string }> {
  const target = targetPath(f, c.replaces);
  const make = c.make ?? 'file';
  const src = () => fill(fs.readFileSync(path.join(CORPUS, c.file!)), vars);
  const put = (data: Buffer) => {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.rmSync(target, { force: true, recursive: true });
    fs.writeFileSync(target, data, { mode: 0o600 });
  };
  switch (make) {
    case 'file':
      if (c.file!.endsWith('.sql')) {
        removeSqlite(target);
        const db = new DatabaseSync(target);
        db.exec(src().toString('utf8'));
        db.close();
        fs.chmodSync(target, 0o600);
      } else {
        if (c.replaces === 'state/openclaw.sqlite') removeSqlite(target);
        put(src());
      }
      break;
    case 'missing':
      fs.rmSync(target, { force: true });
      break;
    case 'directory':
      if (c.replaces === 'state/openclaw.sqlite') removeSqlite(target);
      fs.rmSync(target, { force: true, recursive: true });
      fs.mkdirSync(target, { mode: 0o700 });
      fs.writeFileSync(path.join(target, 'README'), 'a directory where a file should be\n');
      break;
    case 'symlink-outside': {
      // A file OUTSIDE the state dir (like /etc/passwd), linked in place of the store file.
      const outside = path.join(f.root, 'outside', path.basename(c.file!));
      fs.mkdirSync(path.dirname(outside), { recursive: true });
      fs.writeFileSync(outside, src(), { mode: 0o644 });
      fs.rmSync(target, { force: true });
      fs.symlinkSync(outside, target);
      return { outside };
    }
    case 'huge-paired': {
      // ~50 MB: 100k other devices around the real one (generated, not committed).
      const real = JSON.parse(fs.readFileSync(target, 'utf8')) as Record<string, unknown>;
      const fd = fs.openSync(target + '.tmp', 'w', 0o600);
      fs.writeSync(fd, '{\n');
      const filler = 'x'.repeat(230);
      for (let i = 0; i < 100_000; i++) {
        const id = crypto.createHash('sha256').update(String(i)).digest('hex');
        const rec = {
          deviceId: id,
          publicKey: `pk${i}`,
          displayName: `device ${i} ${filler}`,
          platform: 'linux',
          role: 'operator',
          roles: ['operator'],
          scopes: ['operator.read'],
          approvedScopes: ['operator.read'],
          tokens: { operator: { token: `tok-${i}`, role: 'operator', scopes: ['operator.read'], createdAtMs: 1 } },
          createdAtMs: 1,
          approvedAtMs: 1,
        };
        fs.writeSync(fd, `  ${JSON.stringify(id)}: ${JSON.stringify(rec, null, 2).replace(/\n/g, '\n  ')},\n`);
      }
      const [id, rec] = Object.entries(real)[0]!;
      fs.writeSync(fd, `  ${JSON.stringify(id)}: ${JSON.stringify(rec, null, 2).replace(/\n/g, '\n  ')}\n}`);
      fs.closeSync(fd);
      fs.renameSync(target + '.tmp', target);
      expect(fs.statSync(target).size).toBeGreaterThan(50_000_000);
      break;
    }
    case 'huge-line-log': {
      // One 8 MB line without a newline in the middle of the log, then the audit line.
      const before = fs.readFileSync(target);
      const audit = before.toString('utf8').trim().split('\n').pop()!;
      fs.writeFileSync(target, Buffer.concat([before, Buffer.from(`{"0":"${'y'.repeat(8 * 1024 * 1024)}","time":"${new Date(Date.now() - 30_000).toISOString()}"}\n${audit}\n`)]));
      break;
    }
    case 'locked': {
      // Another process holds BEGIN EXCLUSIVE on the database for the whole case.
      if (c.file) {
        removeSqlite(target);
        const db = new DatabaseSync(target);
        db.exec(src().toString('utf8'));
        db.close();
        fs.chmodSync(target, 0o600);
      }
      const code =
        `const { DatabaseSync } = await import('node:sqlite');\n` +
        `const db = new DatabaseSync(${JSON.stringify(target)});\n` +
        `db.exec('BEGIN EXCLUSIVE');\n` +
        `db.exec("UPDATE device_pairing_paired SET last_seen_reason = 'held' WHERE 0");\n` +
        `process.stdout.write('locked\\n');\n` +
        `setInterval(() => {}, 1 << 30);\n`;
      const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
      lockers.add(child);
      let out = '';
      child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
      await waitFor(() => out.includes('locked'), { what: 'the SQLite lock holder' });
      break;
    }
    case 'unreadable': {
      fs.chmodSync(target, 0o000);
      if (process.getuid?.() !== 0) return {};
      // root reads a mode-000 file anyway: run clawfix as root without the capabilities that override
      // file modes (dropped from the bounding set, so nothing clawfix starts gets them back either): it
      // meets the file as a user who may not read it, with every path still reachable (a run as nobody
      // was not: the CI clone, the installed package and the npm-cached Node sit under 0700 dirs).
      const via = ['setpriv', '--bounding-set', '-dac_override,-dac_read_search', '--'];
      const probe = spawnSync(via[0]!, [...via.slice(1), 'cat', target], { encoding: 'utf8' });
      if (probe.error) {
        // Only a machine without util-linux's setpriv gets here; CI must stage the case.
        if (process.env.CI) throw new Error(`corpus case ${c.id} cannot be staged in CI: setpriv cannot run (${probe.error.message})`);
        return { skip: `setpriv cannot run (${probe.error.message})` };
      }
      if (probe.status === 0) throw new Error(`corpus case ${c.id}: setpriv did not take away root's read access to ${target}`);
      // cat itself was refused (exit 1, EACCES), not setpriv (127: it could not drop the capabilities)…
      if (probe.status !== 1 || !/denied/i.test(probe.stderr)) throw new Error(`corpus case ${c.id}: setpriv failed (exit ${probe.status}): ${probe.stderr.trim()}`);
      // …and the CLI runs that way.
      const cli = spawnSync(via[0]!, [...via.slice(1), process.execPath, CLAWFIX_BIN, '--version'], { encoding: 'utf8' });
      if (cli.status !== 0) throw new Error(`corpus case ${c.id}: clawfix --version through setpriv exited ${cli.status}: ${cli.stderr.trim()}`);
      return { via };
    }
  }
  return {};
}

// ---------------------------------------------------------------------------------------------
// running and judging
// ---------------------------------------------------------------------------------------------

const ignoreSide = (rel: string) => /sqlite-(wal|shm)$/.test(rel);

interface Observed {
  exit: number;
  findings?: string[];
  firstLines: string;
  changed: string[];
}

function observe(r: RunResult, json: boolean, changed: string[]): Observed {
  let findings: string[] | undefined;
  if (json) {
    try {
      const doc = JSON.parse(r.stdout) as { findings?: { id: string }[] };
      findings = doc.findings?.map((x) => x.id);
    } catch {
      findings = undefined;
    }
  }
  const lines = (r.stderr + '\n' + r.stdout).split('\n').filter((l) => /clawfix:|✖|cannot|not valid|held back|Nothing|Repaired|is not|does not|locked|busy|permission/i.test(l));
  return { exit: r.code, ...(findings ? { findings } : {}), firstLines: lines.slice(0, 6).join('\n'), changed };
}

function judge(c: Case, what: keyof Case['expect'], r: RunResult, changed: string[], target: string): void {
  const label = `${c.id} / ${what}`;
  const all = r.stdout + '\n' + r.stderr;
  const m = STACK.exec(all);
  if (m) throw new Error(`${label}: unhandled-error output (${JSON.stringify(m[0])})\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`);
  const e = c.expect[what];
  const writes = new Set(e.writes ?? []);
  const unexpected = changed.filter((d) => {
    const rel = d.replace(/^(changed|added|removed) /, '').replace(/:.*$/, '');
    // A repair (or a rolled-back attempt) leaves its backup in clawfix's own dir: allowed with any declared write.
    return !(writes.has(rel) || (writes.size > 0 && (rel === 'clawfix' || rel.startsWith('clawfix/'))));
  });
  if (unexpected.length) throw new Error(`${label}: wrote to the state dir:\n${unexpected.join('\n')}\n--- stderr ---\n${r.stderr}`);
  if (r.code !== e.exit) throw new Error(`${label}: exit ${r.code}, expected ${e.exit}\n--- stdout ---\n${r.stdout.slice(0, 4000)}\n--- stderr ---\n${r.stderr.slice(0, 4000)}`);
  for (const t of e.text ?? []) {
    const want = t.replaceAll('{{path}}', target);
    if (!all.includes(want)) throw new Error(`${label}: output does not contain ${JSON.stringify(want)}\n--- stdout ---\n${r.stdout.slice(0, 4000)}\n--- stderr ---\n${r.stderr.slice(0, 4000)}`);
  }
  if (what === 'diagnose') {
    let doc: { findings?: { id: string }[] };
    try {
      doc = JSON.parse(r.stdout) as typeof doc;
    } catch {
      throw new Error(`${label}: diagnose --json stdout is not one JSON document:\n${r.stdout.slice(0, 2000)}`);
    }
    const ids = (doc.findings ?? []).map((x) => x.id);
    for (const id of e.findings ?? []) if (!ids.includes(id)) throw new Error(`${label}: finding ${id} missing (got ${ids.join(', ') || 'none'})`);
    for (const id of e.notFindings ?? []) if (ids.includes(id)) throw new Error(`${label}: unexpected finding ${id} (got ${ids.join(', ')})`);
  }
}

async function runCase(c: Case): Promise<void> {
  const { f, vars } = await baseline(c);
  try {
    const { outside, skip, ...as } = await apply(c, f, vars);
    if (skip) {
      console.warn(`corpus case ${c.id} not staged: ${skip}`);
      return;
    }
    const target = targetPath(f, c.replaces);
    const outsideBefore = outside ? fs.readFileSync(outside) : undefined;
    const runs: [keyof Case['expect'], string[]][] = [
      ['diagnose', ['diagnose', '--json']],
      ['dryRun', ['fix', '--dry-run']],
      ['fix', ['fix', '--yes']],
    ];
    const seen: Record<string, Observed> = {};
    for (const [what, args] of runs) {
      const before = await hashTree(f.stateDir, { ignore: ignoreSide });
      const r = await runCli(args, { fixture: f, env: FAST, timeoutMs: 60_000, ...as });
      const changed = diffTrees(before, await hashTree(f.stateDir, { ignore: ignoreSide }));
      if (DISCOVER) seen[what] = observe(r, what === 'diagnose', changed);
      else judge(c, what, r, changed, target);
    }
    if (DISCOVER) discovered[c.id] = seen;
    else {
      assertClawfixDirClean(f);
      // Nothing was written through the link either.
      if (outside && !fs.readFileSync(outside).equals(outsideBefore!)) throw new Error(`${c.id}: ${outside} (outside the state dir, behind a symlink) was changed`);
      // No transaction is left half-done: a journal stays only with exit 3 (rollback incomplete).
      if (c.expect.fix.exit !== 3 && fs.existsSync(path.join(f.stateDir, 'clawfix', 'journal.json'))) throw new Error(`${c.id}: fix left its journal behind`);
      for (const rel of (c.expect.fix.writes ?? []).filter((r) => r.endsWith('.json'))) {
        const text = fs.readFileSync(path.join(f.stateDir, rel), 'utf8');
        JSON.parse(text.replace(/^\uFEFF/, '')); // every file the repair wrote parses
        if (path.join(f.stateDir, rel) !== target) continue;
        if (c.keeps?.includes('bom') && !text.startsWith('\uFEFF')) throw new Error(`${c.id}: the repair dropped the BOM of ${rel}`);
        if (c.drops?.includes('bom') && text.startsWith('\uFEFF')) throw new Error(`${c.id}: the repair kept the BOM of ${rel}, which OpenClaw cannot read`);
        if (c.keeps?.includes('crlf') && /[^\r]\n/.test(text)) throw new Error(`${c.id}: the repair wrote bare LF line endings into ${rel}`);
      }
    }
  } finally {
    live.delete(f);
    if (process.getuid?.() === 0) fs.rmSync(f.root, { recursive: true, force: true });
    await f.cleanup();
  }
}

// ---------------------------------------------------------------------------------------------

describe('the corpus', () => {
  test('has at least 40 cases, unique ids, and every file it names', () => {
    expect(manifest.cases.length).toBeGreaterThanOrEqual(40);
    const ids = manifest.cases.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of manifest.cases) {
      if (c.file) expect([c.id, fs.existsSync(path.join(CORPUS, c.file))]).toEqual([c.id, true]);
      else expect([c.id, c.make]).toEqual([c.id, expect.any(String)]);
    }
    // Every corpus file belongs to a case.
    const used = new Set(manifest.cases.map((c) => c.file).filter(Boolean));
    const files = fs.readdirSync(CORPUS).filter((n) => n !== 'cases.json' && n !== 'README.md');
    expect(files.filter((n) => !used.has(n))).toEqual([]);
  });
});

describe.each(['json', 'sqlite'] as const)('bad input, %s store: diagnose --json, fix --dry-run, fix --yes', (store) => {
  for (const c of manifest.cases.filter((x) => x.store === store)) {
    test.concurrent(`${c.id}: ${c.what}`, () => runCase(c), 120_000);
  }
});

// The case the corpus (no gateway running) cannot show: the config is damaged while the gateway runs
// on the port the config used to name. Found by the corpus: clawfix then probed the default port,
// saw nothing, and edited the JSON store under the running gateway.
describe('a damaged config while the gateway runs (JSON store)', () => {
  for (const file of ['config-garbage.json', 'config-port-string.json', 'config-not-object.json']) {
    test.concurrent(`${file}: fix --yes refuses naming the config, store and gateway untouched`, async () => {
      const f = await broken(async (o) => {
        const x = await makeStateDir(o);
        live.add(x);
        return x;
      }, { version: '2026.7.35' });
      try {
        const vars: Vars = { port: String(f.port), gatewayToken: f.gatewayToken, logFile: f.logFile };
        fs.writeFileSync(f.configPath, fill(fs.readFileSync(path.join(CORPUS, file)), vars));
        const before = await hashTree(f.stateDir, { ignore: ignoreSide });
        const pid = f.fake.gatewayPid();
        for (const args of [['fix', '--yes'], ['fix', '--dry-run']]) {
          const r = await runCli(args, { fixture: f, env: FAST });
          expect(r.code).toBe(1);
          expect(r.stderr).toContain('cannot repair safely');
          expect(r.stderr).toContain(f.configPath);
          expect(STACK.test(r.stderr + r.stdout)).toBe(false);
        }
        expect(diffTrees(before, await hashTree(f.stateDir, { ignore: ignoreSide }))).toEqual([]);
        expect(await healthz(f.port)).toBe(true);
        expect(f.fake.gatewayPid()).toBe(pid);
        expect(f.fake.calls().filter((c) => /^gateway (stop|start|restart)/.test(c))).toEqual(['gateway start']);
      } finally {
        live.delete(f);
        await f.cleanup();
      }
    }, 60_000);
  }
});
