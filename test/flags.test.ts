/**
 * Flags and permissions, through the built CLI: a flag that needs a value and got none, a profile name
 * OpenClaw would refuse, a log file that is not there and a mistyped command are usage errors (exit 2)
 * naming the flag, with a did-you-mean for commands; a user who cannot write the state dir is told to
 * run as its owner (by uid) and nothing is written; token/key files other users can read are flagged.
 */
import { afterEach, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CLAWFIX_BIN, diffTrees, hashTree, runCli } from './helpers/cli.js';
import { makeStateDir, type Fixture, type FixtureOptions } from './helpers/fixtures.js';
import * as L from './helpers/logs.js';

const fixtures: Fixture[] = [];
async function fixture(o: FixtureOptions = {}): Promise<Fixture> {
  const f = await makeStateDir(o);
  fixtures.push(f);
  return f;
}
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.cleanup()));
});

/** A sub-agent refused operator.write (audit line + pending request), gateway stopped. */
async function refused(): Promise<Fixture> {
  const f = await fixture({ devices: [{ scopes: ['operator.read'] }], pending: [{ scopes: ['operator.read', 'operator.write'] }] });
  f.appendLog([L.auditScopeUpgrade({ deviceId: f.deviceId, from: ['operator.read'], to: ['operator.read', 'operator.write'], time: Date.now() - 30_000 })]);
  return f;
}

const noStack = (r: { stdout: string; stderr: string }) => expect(`${r.stdout}\n${r.stderr}`).not.toMatch(/^\s+at .+:\d+:\d+\)?$|TypeError|ReferenceError/m);

describe('a flag that needs a value', () => {
  test.each([
    ['--state-dir', ['diagnose', '--state-dir']],
    ['--config', ['diagnose', '--config']],
    ['--log-file', ['diagnose', '--log-file']],
    ['--device', ['fix', '--dry-run', '--device']],
    ['--state-dir', ['diagnose', '--state-dir=']],
    ['--log-file', ['diagnose', '--log-file=']],
    ['--device', ['fix', '--dry-run', '--device=']],
    ['--config', ['diagnose', '--json', '--config=']],
  ])('%s without one is a usage error naming it: %j', async (flag, args) => {
    const f = await refused();
    const before = await hashTree(f.stateDir);
    const r = await runCli(args, { fixture: f });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`clawfix: ${flag} needs a value`);
    expect(r.stdout).not.toMatch(/Repaired|scope-upgrade/);
    noStack(r);
    expect(diffTrees(before, await hashTree(f.stateDir))).toEqual([]);
  });

  test('the command name taken as the value (`--state-dir diagnose`) is named as such', async () => {
    const f = await refused();
    const r = await runCli(['--state-dir', 'diagnose'], { fixture: f });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--state-dir needs a value, but got the command name "diagnose"');
  });
});

describe('paths and names', () => {
  test('--profile ../etc is refused (exit 2) and no state dir outside ~/.openclaw-NAME is looked at', async () => {
    const f = await fixture();
    const r = await runCli(['--profile', '../etc', 'diagnose', '--json'], { fixture: f, env: { OPENCLAW_STATE_DIR: '' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--profile "../etc" is not a profile name');
    expect(r.stdout).not.toContain('.openclaw-../etc');
  });

  test('an invalid OPENCLAW_PROFILE is ignored like OpenClaw ignores it (default state dir, never ~/.openclaw-../x)', async () => {
    const f = await fixture();
    const r = await runCli(['diagnose', '--json'], { fixture: f, env: { OPENCLAW_STATE_DIR: '', OPENCLAW_CONFIG_PATH: '', OPENCLAW_PROFILE: '../x' } });
    expect((JSON.parse(r.stdout) as { openclaw: { stateDir: string } }).openclaw.stateDir).toBe(path.join(f.home, '.openclaw'));
  });

  test('a missing --log-file is a usage error naming the file, not "Logs none found"', async () => {
    const f = await refused();
    const missing = path.join(f.root, 'logs', 'nope.log');
    const r = await runCli(['diagnose', '--log-file', missing], { fixture: f });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--log-file ${missing} does not exist`);
    expect(r.stdout).not.toContain('none found');
  });

  test('a --state-dir that does not exist is a usage error naming it', async () => {
    const f = await refused();
    const missing = path.join(f.root, 'no-such-state');
    const r = await runCli(['fix', '--dry-run', '--state-dir', missing], { fixture: f });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--state-dir ${missing} does not exist`);
  });

  test.each([
    ['diagnoze', 'diagnose'],
    ['fx', 'fix'],
    ['rolback', 'rollback'],
  ])('`clawfix %s` gets a did-you-mean (`clawfix %s`), exit 2', async (typo, cmd) => {
    const f = await refused();
    const r = await runCli([typo], { fixture: f });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`unknown command "${typo}"`);
    expect(r.stderr).toContain(`did you mean \`clawfix ${cmd}\`?`);
  });

  test('a mistyped option gets a did-you-mean too', async () => {
    const f = await refused();
    const r = await runCli(['diagnose', '--log-fil', f.logFile], { fixture: f });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown option --log-fil');
    expect(r.stderr).toContain('did you mean --log-file?');
  });
});

test('an unknown --no-… option is named as typed (yargs reads --no-X as X negated)', async () => {
  const f = await refused();
  const r = await runCli(['diagnose', '--no-such-flag'], { fixture: f });
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('clawfix: unknown option --no-such-flag');
});

test('a stray word after a command is named as an unexpected argument, not as an option', async () => {
  const f = await refused();
  const r = await runCli(['fix', 'now', '--dry-run'], { fixture: f });
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('clawfix: unexpected argument "now"');
});

describe('words and names yargs gives a meaning of its own (the fast command-line path leaves them to it)', () => {
  test('`rollback help` is rollback\'s help (exit 0), not a rollback of a backup named "help"', async () => {
    const f = await refused();
    const r = await runCli(['rollback', 'help'], { fixture: f });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('clawfix rollback [id]');
    expect(r.stdout).toContain('restore a backup made by fix');
  });

  test('`rollback --yes false` is --yes set to false: without a terminal it asks for --yes (exit 2), no backup named "false" is looked for', async () => {
    const f = await refused();
    const r = await runCli(['rollback', '--yes', 'false'], { fixture: f });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('add --yes to restore unattended');
    expect(r.stderr).not.toContain('false');
  });

  test('a name every object has is no option: `backups --constructor x` is an unknown option (exit 2)', async () => {
    const f = await refused();
    const r = await runCli(['backups', '--constructor', 'x'], { fixture: f });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('clawfix: unknown option --constructor');
  });
});

describe('permissions', () => {
  test('token and key files other users can read are flagged with the chmod that fixes them', async () => {
    const f = await refused();
    fs.chmodSync(f.paths.deviceAuth, 0o644);
    fs.chmodSync(f.paths.identity, 0o640);
    const r = await runCli(['diagnose', '--json'], { fixture: f });
    const doc = JSON.parse(r.stdout) as { findings: { id: string; severity: string; evidence: { text: string; source?: string }[]; suggestedFix: { command?: string } }[] };
    const found = doc.findings.find((x) => x.id === 'secrets-readable');
    expect(found?.severity).toBe('warning');
    expect(found!.evidence.map((e) => [e.source, e.text])).toEqual([
      [f.paths.identity, 'mode 0640 (readable by the group)'],
      [f.paths.deviceAuth, 'mode 0644 (readable by everyone)'],
    ]);
    expect(found!.suggestedFix.command).toBe(`chmod 600 ${f.paths.identity} ${f.paths.deviceAuth}`);
    // The 0600 files OpenClaw wrote are not named.
    expect(JSON.stringify(found)).not.toContain(f.paths.paired);
  });

  test('SQLite era: a store database other users can read is flagged; a 0600 one is not', async () => {
    const f = await fixture({ version: '2026.9.6' });
    const ids = async () => (JSON.parse((await runCli(['diagnose', '--json'], { fixture: f })).stdout) as { findings: { id: string }[] }).findings.map((x) => x.id);
    expect(await ids()).not.toContain('secrets-readable');
    fs.chmodSync(f.paths.sqlite, 0o644);
    expect(await ids()).toContain('secrets-readable');
  });

  test('as a user who cannot write the state dir: diagnose and fix say to run as its owner (uid 0), nothing is written', async () => {
    if (process.getuid?.() !== 0) return; // needs root to stage a dir another user can read but not write
    const f = await refused();
    // Readable by everyone, writable only by root (its owner); clawfix runs as nobody.
    for (const d of [f.root, f.home, f.stateDir, path.dirname(f.paths.paired), path.dirname(f.paths.identity), path.dirname(f.logFile)]) fs.chmodSync(d, 0o755);
    for (const p of [f.paths.paired, f.paths.pending, f.paths.identity, f.paths.deviceAuth, f.configPath, f.logFile]) fs.chmodSync(p, 0o644);
    const probe = spawnSync(process.execPath, [CLAWFIX_BIN, '--version'], { uid: 65534, gid: 65534, stdio: 'ignore' });
    if (probe.status !== 0) {
      console.warn(`skipped: user nobody cannot run ${process.execPath} from this checkout`);
      return;
    }
    const before = await hashTree(f.stateDir);
    const d = await runCli(['diagnose'], { fixture: f, uid: 65534, gid: 65534 });
    expect(d.code).toBe(1);
    expect(d.stdout).toContain(`clawfix runs as uid 65534, which cannot write ${f.stateDir} (owned by root, uid 0)`);
    expect(d.stdout).toContain(`run as the owner of ${f.stateDir} (uid 0)`);
    const r = await runCli(['fix', '--yes'], { fixture: f, uid: 65534, gid: 65534 });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`clawfix: cannot repair: clawfix runs as uid 65534, which cannot write ${f.stateDir}; nothing was changed`);
    expect(r.stderr).toContain(`run as the owner of ${f.stateDir} (uid 0, root): sudo -iu root clawfix --state-dir ${f.stateDir} fix --yes`);
    noStack(r);
    expect(diffTrees(before, await hashTree(f.stateDir))).toEqual([]);
  });
});
