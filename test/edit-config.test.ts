/**
 * `clawfix edit-config` through the built CLI: a scripted editor (`--editor`, a command line run
 * through the shell with the copy's path appended) rewrites the private copy; clawfix validates what
 * was saved and installs it byte-for-byte through the repair pipeline (stop, guard, backup, install,
 * start, verify, roll back on failure). Plus a real `vi` in a real terminal (tmux).
 */
import { afterEach, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assertNoSecrets, CLAWFIX_BIN, cliEnv, diffTrees, hashTree, runCli, runOpenclaw, type RunResult } from './helpers/cli.js';
import { freePort, makeStateDir, type Fixture, type FixtureOptions } from './helpers/fixtures.js';
import { haveTmux, openTerminal, type Terminal } from './helpers/tmux.js';
import { healthz, waitFor } from './helpers/wait.js';

const fixtures: Fixture[] = [];
const terms: Terminal[] = [];
const tmpDirs: string[] = [];
afterEach(async () => {
  terms.splice(0).forEach((t) => t.close());
  await Promise.all(fixtures.splice(0).map((f) => f.cleanup()));
  for (const d of tmpDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const FAST = { CLAWFIX_START_TIMEOUT_MS: '8000', CLAWFIX_STOP_TIMEOUT_MS: '8000' };
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** A hand-edited JSON5 config: comments, single quotes, trailing commas (line numbers matter below). */
function handEdited(f: Fixture, o: { port?: number } = {}): string {
  return [
    '// OpenClaw config (hand-edited)', //                     1
    '{', //                                                     2
    '  gateway: {', //                                          3
    "    mode: 'local',", //                                    4
    '    // old note: keep the gateway on this machine', //     5
    "    bind: 'loopback',", //                                 6
    `    port: ${o.port ?? f.port},`, //                        7
    `    auth: { mode: 'token', token: '${f.gatewayToken}' },`, // 8
    '  },', //                                                  9
    `  logging: { file: ${JSON.stringify(f.logFile)} },`, //   10
    '}', //                                                    11
    '',
  ].join('\n');
}

async function fixture(o: FixtureOptions & { running?: boolean; mode?: number } = {}): Promise<Fixture> {
  const f = await makeStateDir({ devices: [{ scopes: ['operator.read', 'operator.write'] }], ...o });
  fixtures.push(f);
  fs.writeFileSync(f.configPath, handEdited(f));
  fs.chmodSync(f.configPath, o.mode ?? 0o600);
  if (o.running !== false) {
    expect((await runOpenclaw(['gateway', 'start'], { fixture: f })).code).toBe(0);
    await waitFor(() => healthz(f.port), { timeoutMs: 10_000, what: 'fake gateway up' });
  }
  return f;
}

/** A scripted editor: a node script that rewrites the file named by its last argument. */
function editor(f: Fixture, body: string): string {
  const file = path.join(f.root, `editor-${Math.random().toString(36).slice(2)}.mjs`);
  fs.writeFileSync(
    file,
    `import fs from 'node:fs';\nconst file = process.argv[process.argv.length - 1];\nlet text = fs.readFileSync(file, 'utf8');\n${body}\nfs.writeFileSync(file, text);\n`,
  );
  return `${q(process.execPath)} ${q(file)}`;
}

/** `text = text.replace(from, to)` as an editor (every occurrence). */
function replacing(f: Fixture, from: string, to: string): string {
  return editor(f, `text = text.split(${JSON.stringify(from)}).join(${JSON.stringify(to)});`);
}

function editConfig(f: Fixture, args: string[], env: Record<string, string> = {}, timeoutMs = 45_000): Promise<RunResult> {
  return runCli(['edit-config', ...args], { fixture: f, env: { ...FAST, ...env }, timeoutMs });
}

const gatewayCalls = (f: Fixture, from = 0) =>
  f.fake
    .calls()
    .slice(from)
    .filter((c) => /^gateway (stop|start|restart)/.test(c));

function backupIds(f: Fixture): string[] {
  try {
    return fs.readdirSync(path.join(f.stateDir, 'clawfix', 'backups')).sort();
  } catch {
    return [];
  }
}

/** The "kept at <path>" copy a failed install leaves for the user: removed after the test. */
function keptCopy(r: RunResult): string | undefined {
  const m = /kept at (\S+) \(/.exec(r.stderr);
  if (m) tmpDirs.push(path.dirname(m[1]!));
  return m?.[1];
}

const both = (r: RunResult) => `${r.stdout}\n${r.stderr}`;

describe('edit-config with a scripted editor', () => {
  test('a valid edit is installed byte-exact (comments kept), the gateway stopped before and started after, backup listed', async () => {
    const f = await fixture({ mode: 0o640 });
    const before = fs.readFileSync(f.configPath, 'utf8');
    const pidBefore = f.fake.gatewayPid();
    const from = f.fake.calls().length;
    const cmd = replacing(f, '// old note: keep the gateway on this machine', '// new note: still loopback only\n    /* reviewed */');
    const expected = before.replace('// old note: keep the gateway on this machine', '// new note: still loopback only\n    /* reviewed */');

    const r = await editConfig(f, ['--editor', cmd]);
    expect({ code: r.code, out: both(r) }).toMatchObject({ code: 0 });
    expect(r.stdout).toContain('Installed the edited config');
    expect(fs.readFileSync(f.configPath, 'utf8')).toBe(expected);
    expect(fs.statSync(f.configPath).mode & 0o777).toBe(0o640);

    // stop, then the write, then start (timestamps of the fake's call log around the config's mtime)
    const lines = f.fake.callLines().slice(from);
    const at = (re: RegExp) => Date.parse(lines.find((l) => re.test(l))!.split(' ')[0]!);
    expect(gatewayCalls(f, from)).toEqual(['gateway stop', 'gateway start']);
    const mtime = fs.statSync(f.configPath).mtimeMs;
    expect(at(/ gateway stop/)).toBeLessThanOrEqual(Math.ceil(mtime));
    expect(Math.floor(mtime)).toBeLessThanOrEqual(at(/ gateway start/));
    expect(await healthz(f.port)).toBe(true);
    expect(f.fake.gatewayPid()).not.toBe(pidBefore);

    // backup of the old bytes, listed by `clawfix backups`
    const ids = backupIds(f);
    expect(ids).toHaveLength(1);
    const copy = path.join(f.stateDir, 'clawfix', 'backups', ids[0]!, '0-openclaw.json');
    expect(fs.readFileSync(copy, 'utf8')).toBe(before);
    expect(fs.statSync(copy).mode & 0o777).toBe(0o600);
    const list = await runCli(['backups'], { fixture: f });
    expect(list.stdout).toContain(ids[0]!);
    expect(list.stdout).toContain('openclaw.json');
    expect(r.stdout).toContain(`clawfix rollback ${ids[0]}`);
    // no journal or lock left, the private copy removed
    expect(fs.readdirSync(path.join(f.stateDir, 'clawfix')).sort()).toEqual(['backups']);
    assertNoSecrets([r.stdout, r.stderr, list.stdout], f.secrets);

    // and it can be undone like a repair
    const undo = await runCli(['rollback', '--yes'], { fixture: f, env: FAST });
    expect(undo.code).toBe(0);
    expect(fs.readFileSync(f.configPath, 'utf8')).toBe(before);
  });

  test('the private copy is 0600 in a 0700 dir outside the state dir, named like the config', async () => {
    const f = await fixture({ running: false });
    const probe = path.join(f.root, 'probe.json');
    const cmd = editor(
      f,
      `fs.writeFileSync(${JSON.stringify(probe)}, JSON.stringify({ file, mode: fs.statSync(file).mode & 0o777, dirMode: fs.statSync(file.slice(0, file.lastIndexOf('/'))).mode & 0o777 }));\n` +
        "text = text.replace('old note', 'new note');",
    );
    const r = await editConfig(f, ['--editor', cmd]);
    expect(r.code).toBe(0);
    const seen = JSON.parse(fs.readFileSync(probe, 'utf8')) as { file: string; mode: number; dirMode: number };
    expect(seen.mode).toBe(0o600);
    expect(seen.dirMode).toBe(0o700);
    expect(path.basename(seen.file)).toBe('openclaw.json');
    expect(seen.file.startsWith(f.stateDir)).toBe(false);
    expect(fs.existsSync(path.dirname(seen.file))).toBe(false);
  });

  test('invalid JSON5: exit 1 with line and column, the config unchanged, no gateway command', async () => {
    const f = await fixture();
    const before = fs.readFileSync(f.configPath);
    const from = f.fake.calls().length;
    const r = await editConfig(f, ['--editor', replacing(f, "bind: 'loopback',", "bind: 'loopback'\n    oops here,")]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/line 7, column \d+: not valid JSON5/);
    expect(r.stdout).toContain('Nothing was changed');
    expect(fs.readFileSync(f.configPath).equals(before)).toBe(true);
    expect(gatewayCalls(f, from)).toEqual([]);
    expect(backupIds(f)).toEqual([]);
    expect(await healthz(f.port)).toBe(true);
    assertNoSecrets([r.stdout, r.stderr], f.secrets);
  });

  test('bind "0.0.0.0" is flagged with its line number and the replacement "lan"; nothing installed', async () => {
    const f = await fixture();
    const before = fs.readFileSync(f.configPath);
    const from = f.fake.calls().length;
    const r = await editConfig(f, ['--editor', replacing(f, "bind: 'loopback'", "bind: '0.0.0.0'")]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✖ error line 6, column 5: gateway\.bind is "0\.0\.0\.0".*use "lan"/);
    expect(r.stdout).toContain("6 │     bind: '0.0.0.0',");
    expect(fs.readFileSync(f.configPath).equals(before)).toBe(true);
    expect(gatewayCalls(f, from)).toEqual([]);
  });

  const HAZARDS: { name: string; from: string; to: string; line: number; says: RegExp; severity: 'error' | 'warning' }[] = [
    { name: 'bind localhost', from: "bind: 'loopback'", to: "bind: 'localhost'", line: 6, says: /gateway\.bind is "localhost".*use "loopback"/, severity: 'error' },
    { name: 'bind 127.0.0.1', from: "bind: 'loopback'", to: "bind: '127.0.0.1'", line: 6, says: /gateway\.bind is "127\.0\.0\.1".*use "loopback"/, severity: 'error' },
    { name: 'auth.mode none', from: "auth: { mode: 'token',", to: "auth: { mode: 'none',", line: 8, says: /gateway\.auth\.mode is "none"/, severity: 'error' },
    {
      name: 'dangerouslyDisableDeviceAuth (nested)',
      from: "  },\n  logging",
      to: "    controlUi: {\n      dangerouslyDisableDeviceAuth: true,\n    },\n  },\n  logging",
      line: 10,
      says: /gateway\.controlUi\.dangerouslyDisableDeviceAuth is true/,
      severity: 'error',
    },
    {
      name: 'remote.url on the gateway host',
      from: "    mode: 'local',",
      to: "    mode: 'local',\n    remote: { url: 'wss://gw.example.net' },",
      line: 5,
      says: /gateway\.remote\.url \(wss:\/\/gw\.example\.net\) is set on the gateway host/,
      severity: 'error',
    },
    {
      name: 'autoApproveLocal false',
      from: "    mode: 'local',",
      to: "    mode: 'local',\n    nodes: {\n      pairing: { autoApproveLocal: false },\n    },",
      line: 6,
      says: /autoApproveLocal is false: on OpenClaw 2026\.8\+ local scope upgrades/,
      severity: 'warning',
    },
  ];

  test.each(HAZARDS)('hazard: $name → $severity on line $line', async ({ from, to, line, says, severity }) => {
    const f = await fixture({ running: false });
    const before = fs.readFileSync(f.configPath, 'utf8');
    const cmd = replacing(f, from, to);
    const r = await editConfig(f, ['--editor', cmd]);
    const mark = severity === 'error' ? '✖ error' : '▲ warning';
    expect(r.stdout).toMatch(new RegExp(`${mark} line ${line}, column \\d+: `));
    expect(r.stdout).toMatch(says);
    assertNoSecrets([r.stdout, r.stderr], f.secrets);
    expect(fs.readFileSync(f.configPath, 'utf8')).toBe(before);
    if (severity === 'error') {
      expect(r.code).toBe(1);
      // --yes does not override an error
      expect((await editConfig(f, ['--editor', cmd, '--yes'])).code).toBe(1);
      expect(fs.readFileSync(f.configPath, 'utf8')).toBe(before);
    } else {
      // a warning needs a confirmation: no terminal → exit 2 naming --yes; with --yes it is installed
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('--yes');
      const y = await editConfig(f, ['--editor', cmd, '--yes']);
      expect(y.code).toBe(0);
      expect(fs.readFileSync(f.configPath, 'utf8')).toBe(before.split(from).join(to));
    }
  });

  test('a hazard already in the config is a warning, not a blocker, for an unrelated edit', async () => {
    const f = await fixture({ running: false });
    fs.writeFileSync(f.configPath, handEdited(f).replace("bind: 'loopback'", "bind: '0.0.0.0'"));
    const r = await editConfig(f, ['--editor', replacing(f, 'old note', 'new note'), '--yes']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/▲ warning line 6, column 5: gateway\.bind is "0\.0\.0\.0".*\(already in the config before this edit\)/);
    expect(fs.readFileSync(f.configPath, 'utf8')).toContain('new note');
  });

  test('unchanged: "No changes", exit 0, no gateway command, no backup', async () => {
    const f = await fixture();
    const tree = await hashTree(f.stateDir);
    const from = f.fake.calls().length;
    const r = await editConfig(f, ['--editor', 'true']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('No changes');
    expect(gatewayCalls(f, from)).toEqual([]);
    expect(backupIds(f)).toEqual([]);
    // the lock's dir may now exist; the config and the store are untouched
    expect(diffTrees(tree, await hashTree(f.stateDir, { ignore: (p) => p === 'clawfix' }))).toEqual([]);
  });

  test('--dry-run shows the diff and the hazards; the state dir is byte-identical, no gateway command', async () => {
    const f = await fixture();
    const tree = await hashTree(f.stateDir);
    const from = f.fake.calls().length;
    const cmd = replacing(f, "    mode: 'local',", "    mode: 'local',\n    nodes: { pairing: { autoApproveLocal: false } }, // why not");
    const r = await editConfig(f, ['--editor', cmd, '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\+\s+nodes: \{ pairing: \{ autoApproveLocal: false \} \}, \/\/ why not$/m);
    expect(r.stdout).toMatch(/^--- .*openclaw\.json\tbefore$/m);
    expect(r.stdout).toContain('▲ warning line 5, column 25: gateway.nodes.pairing.autoApproveLocal is false');
    expect(r.stdout).toContain('Dry run: nothing was installed');
    expect(diffTrees(tree, await hashTree(f.stateDir))).toEqual([]);
    expect(gatewayCalls(f, from)).toEqual([]);
    assertNoSecrets([r.stdout, r.stderr], f.secrets);

    // an invalid edit in a dry run: the same report, exit 1
    const bad = await editConfig(f, ['--editor', replacing(f, "bind: 'loopback'", "bind: '0.0.0.0'"), '--dry-run']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('use "lan"');
    expect(diffTrees(tree, await hashTree(f.stateDir))).toEqual([]);
  });

  test('--json: one result document on stdout', async () => {
    const f = await fixture({ running: false });
    const r = await editConfig(f, ['--editor', replacing(f, 'old note', 'new note'), '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { ok: boolean; changed: boolean; config: string; backup: { id: string } | null; plan: { kind: string; steps: { name: string }[] } };
    expect(doc).toMatchObject({ ok: true, changed: true, config: f.configPath, plan: { kind: 'config-edit' } });
    expect(doc.plan.steps.map((s) => s.name)).toEqual(['guard', 'backup', 'patch', 'verify']);
    expect(doc.backup?.id).toBe(backupIds(f)[0]);
    assertNoSecrets([r.stdout, r.stderr], f.secrets);
  });

  test('a changed port: the gateway is stopped on the old port and verified on the new one', async () => {
    const f = await fixture();
    const newPort = await freePort();
    const r = await editConfig(f, ['--editor', replacing(f, `port: ${f.port},`, `port: ${newPort},`)]);
    expect({ code: r.code, out: both(r) }).toMatchObject({ code: 0 });
    expect(await healthz(newPort)).toBe(true);
    expect(await healthz(f.port)).toBe(false);
    expect(fs.readFileSync(f.configPath, 'utf8')).toContain(`port: ${newPort},`);
  });

  test('the gateway fails to come up with the edit (crashOnStart): rolled back, exit 1, gateway running the old config', async () => {
    const f = await fixture();
    const before = fs.readFileSync(f.configPath, 'utf8');
    const from = f.fake.calls().length;
    f.fake.writeCtl({ crashOnStart: true }); // read by the next gateway that starts: the one with the edit
    const run = editConfig(f, ['--editor', replacing(f, 'old note', 'new note')], { CLAWFIX_START_TIMEOUT_MS: '2500' });
    // once the edited gateway has crashed, let the rollback's start succeed
    await waitFor(() => fs.existsSync(f.logFile) && fs.readFileSync(f.logFile, 'utf8').includes('fake crash on start'), { timeoutMs: 20_000, what: 'the edited gateway to crash' });
    f.fake.writeCtl({ crashOnStart: false });
    const r = await run;
    expect({ code: r.code, out: both(r) }).toMatchObject({ code: 1 });
    expect(r.stderr).toContain('✖ edit-config failed: the gateway did not answer');
    expect(r.stderr).toContain('Everything was rolled back: the old config is in place and the gateway is running it');
    expect(fs.readFileSync(f.configPath, 'utf8')).toBe(before);
    expect(await healthz(f.port)).toBe(true);
    expect(gatewayCalls(f, from)).toEqual(['gateway stop', 'gateway start', 'gateway start']);
    // the user's work is not lost
    const kept = keptCopy(r);
    expect(kept && fs.readFileSync(kept, 'utf8')).toBe(before.replace('old note', 'new note'));
    expect(fs.statSync(kept!).mode & 0o777).toBe(0o600);
    expect(fs.existsSync(path.join(f.stateDir, 'clawfix', 'journal.json'))).toBe(false);
    assertNoSecrets([r.stdout, r.stderr], f.secrets);
  });

  test('`openclaw gateway start` fails once after the install: rolled back, old config running', async () => {
    const f = await fixture();
    const before = fs.readFileSync(f.configPath, 'utf8');
    f.fake.writeCtl({ fail: { 'gateway start': { mode: 'once', exitCode: 1, stderr: 'Gateway failed to start: config rejected' } } });
    const r = await editConfig(f, ['--editor', replacing(f, 'old note', 'new note')]);
    keptCopy(r);
    expect({ code: r.code, out: both(r) }).toMatchObject({ code: 1 });
    expect(r.stderr).toContain('config rejected');
    expect(fs.readFileSync(f.configPath, 'utf8')).toBe(before);
    expect(await healthz(f.port)).toBe(true);
  });

  test('someone else writes the config while it is being edited: nothing installed, their write kept', async () => {
    const f = await fixture();
    const theirs = handEdited(f).replace('old note', 'THEIR note');
    const cmd = editor(f, `fs.writeFileSync(${JSON.stringify(f.configPath)}, ${JSON.stringify(theirs)});\ntext = text.replace('old note', 'my note');`);
    const r = await editConfig(f, ['--editor', cmd]);
    keptCopy(r);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('was changed by someone else while you were editing it');
    expect(fs.readFileSync(f.configPath, 'utf8')).toBe(theirs);
    expect(await healthz(f.port)).toBe(true);
    expect(backupIds(f)).toEqual([]);
  });

  test('the gateway not running: installed without gateway commands, left stopped', async () => {
    const f = await fixture({ running: false });
    const r = await editConfig(f, ['--editor', replacing(f, 'old note', 'new note')]);
    expect(r.code).toBe(0);
    expect(gatewayCalls(f)).toEqual([]);
    expect(await healthz(f.port)).toBe(false);
    expect(r.stdout).toContain('the gateway is not running: it is left stopped');
  });

  test('the editor fails: exit 1, nothing changed', async () => {
    const f = await fixture({ running: false });
    const before = fs.readFileSync(f.configPath);
    const r = await editConfig(f, ['--editor', `sh -c 'echo x >> "$1"; exit 3' sh`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the editor exited with status 3; nothing was changed');
    expect(fs.readFileSync(f.configPath).equals(before)).toBe(true);
  });

  test('no terminal and no --editor: exit 2 naming --editor (even with $EDITOR set)', async () => {
    const f = await fixture({ running: false });
    const r = await editConfig(f, [], { EDITOR: 'vi', VISUAL: 'vi' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--editor');
    expect(fs.existsSync(path.join(f.stateDir, 'clawfix'))).toBe(false);
  });

  test('one clawfix per state dir: a second edit-config while the first is editing is refused', async () => {
    const f = await fixture({ running: false });
    const inner = path.join(f.root, 'inner.txt');
    const env = cliEnv({ fixture: f });
    const cmd = editor(
      f,
      `const { spawnSync } = await import('node:child_process');\n` +
        `const r = spawnSync(process.execPath, [${JSON.stringify(CLAWFIX_BIN)}, 'edit-config', '--editor', 'true'], { env: ${JSON.stringify(env)}, encoding: 'utf8' });\n` +
        `fs.writeFileSync(${JSON.stringify(inner)}, JSON.stringify({ code: r.status, stderr: r.stderr }));`,
    );
    const r = await editConfig(f, ['--editor', cmd]);
    expect(r.code).toBe(0); // the outer edit changed nothing
    const seen = JSON.parse(fs.readFileSync(inner, 'utf8')) as { code: number; stderr: string };
    expect(seen.code).toBe(1);
    expect(seen.stderr).toContain('another clawfix is repairing this OpenClaw state dir');
  });

  test('--help lists edit-config with an example', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('clawfix edit-config');
    const h = await runCli(['edit-config', '--help']);
    expect(h.stdout).toContain('--editor');
    expect(h.stdout).toContain('--dry-run');
  });
});

// ---------------------------------------------------------------------------------------------------
// A real editor in a real terminal

const haveVi = spawnSync('sh', ['-c', 'command -v vi']).status === 0;

(haveTmux() && haveVi ? describe : describe.skip)('edit-config with vi in a real terminal', () => {
  function term(f: Fixture, args: string[] = []): Terminal {
    const env = cliEnv({ fixture: f, env: { ...FAST, EDITOR: 'vi', VISUAL: '', TERM: 'xterm-256color' } });
    delete env.NO_COLOR;
    const t = openTerminal(['edit-config', ...args], env);
    terms.push(t);
    return t;
  }

  /**
   * An ex command in vi, retried until its effect is on screen: vim may swallow keys typed while it
   * is still starting up (terminal queries), so the first attempt can be lost.
   */
  async function ex(t: Terminal, cmd: string, shows: string | RegExp): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      t.keys('Escape');
      t.type(cmd);
      t.keys('Enter');
      try {
        await t.waitForText(shows, 3000);
        return;
      } catch (err) {
        if (attempt >= 5) throw err;
      }
    }
  }

  test('vi: change a comment, :wq installs it byte-exact and restarts the gateway', async () => {
    const f = await fixture();
    const before = fs.readFileSync(f.configPath, 'utf8');
    const from = f.fake.calls().length;
    const t = term(f);
    await t.waitForText('old note: keep the gateway on this machine');
    await ex(t, ':%s/old note/new note/', 'new note: keep the gateway');
    t.type(':wq');
    t.keys('Enter');
    expect(await t.exitCode(40_000)).toBe(0);
    const screen = t.screen();
    expect(screen).toContain('Installed the edited config');
    expect(fs.readFileSync(f.configPath, 'utf8')).toBe(before.replace('old note', 'new note'));
    expect(gatewayCalls(f, from)).toEqual(['gateway stop', 'gateway start']);
    expect(await healthz(f.port)).toBe(true);
    assertNoSecrets([screen], f.secrets);
  });

  test('Ctrl-C while the editor runs is the editor\'s: clawfix keeps waiting, then installs what was saved', async () => {
    const f = await fixture({ running: false });
    const before = fs.readFileSync(f.configPath, 'utf8');
    // a line editor in the terminal's cooked mode (unlike vi, which turns ^C into a key): ^C is a SIGINT
    // to the whole foreground process group, clawfix included
    const script = path.join(f.root, 'line-editor.mjs');
    fs.writeFileSync(
      script,
      [
        "import fs from 'node:fs';",
        "import readline from 'node:readline';",
        'const file = process.argv[process.argv.length - 1];',
        "process.on('SIGINT', () => console.log('editor: ^C ignored'));",
        "console.log('line editor ready');",
        'const rl = readline.createInterface({ input: process.stdin });',
        "rl.once('line', (l) => { fs.appendFileSync(file, `// ${l}\\n`); rl.close(); process.exit(0); });",
      ].join('\n'),
    );
    const env = cliEnv({ fixture: f, env: { ...FAST, TERM: 'xterm-256color' } });
    const t = openTerminal(['edit-config', '--editor', `${q(process.execPath)} ${q(script)}`], env);
    terms.push(t);
    await t.waitForText('line editor ready');
    t.keys('C-c');
    await t.waitForText('editor: ^C ignored');
    t.type('added after a Ctrl-C');
    t.keys('Enter');
    expect(await t.exitCode(40_000)).toBe(0);
    expect(t.screen()).toContain('Installed the edited config');
    expect(fs.readFileSync(f.configPath, 'utf8')).toBe(`${before}// added after a Ctrl-C\n`);
  });

  test('vi: an invalid bind is flagged, "Edit it again" reopens the copy, the fixed edit is installed', async () => {
    const f = await fixture({ running: false });
    const before = fs.readFileSync(f.configPath, 'utf8');
    const t = term(f);
    await t.waitForText('old note: keep the gateway on this machine');
    await ex(t, ":%s/'loopback'/'0.0.0.0'/", "bind: '0.0.0.0'");
    await ex(t, ':%s/old note/new note/', 'new note: keep the gateway');
    t.type(':wq');
    t.keys('Enter');
    await t.waitForText('What now?');
    expect(t.screen()).toMatch(/line 6, column 5: gateway\.bind is "0\.0\.0\.0"/);
    t.keys('Enter'); // Edit it again
    await t.waitForText(/openclaw\.json" \d+L/); // vi's file message: the copy is open again
    await ex(t, ":%s/'0.0.0.0'/'loopback'/", "bind: 'loopback'");
    t.type(':wq');
    t.keys('Enter');
    expect(await t.exitCode(40_000)).toBe(0);
    expect(fs.readFileSync(f.configPath, 'utf8')).toBe(before.replace('old note', 'new note'));
  });

  test('vi: abort after an error keeps the config', async () => {
    const f = await fixture({ running: false });
    const before = fs.readFileSync(f.configPath, 'utf8');
    const t = term(f);
    await t.waitForText('old note: keep the gateway on this machine');
    await ex(t, ':%s/}/]/', /^\s+\],$/m);
    t.type(':wq');
    t.keys('Enter');
    await t.waitForText('What now?');
    t.keys('Down', 'Enter'); // Abort
    expect(await t.exitCode(40_000)).toBe(1);
    expect(t.screen()).toContain('Nothing was changed');
    expect(fs.readFileSync(f.configPath, 'utf8')).toBe(before);
    // no private copy left behind in the temp dir
    expect(fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('clawfix-edit-')).some((n) => fs.existsSync(path.join(os.tmpdir(), n, 'openclaw.json')) && fs.readFileSync(path.join(os.tmpdir(), n, 'openclaw.json'), 'utf8').includes(f.gatewayToken))).toBe(false);
  });
});
