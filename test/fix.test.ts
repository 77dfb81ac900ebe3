/**
 * `clawfix fix` end to end: the built CLI against fixture state dirs and the fake `openclaw` (a real
 * gateway process that refuses the sub-agent until the store approves its scopes).
 */
import { afterEach, describe, expect, test } from '@jest/globals';
import fs from 'node:fs';
import path from 'node:path';
import { assertNoSecrets, hashTree, runCli, runOpenclaw } from './helpers/cli.js';
import { makeStateDir, type Fixture, type FixtureOptions } from './helpers/fixtures.js';
import { agentCall, healthz, waitFor } from './helpers/wait.js';

const fixtures: Fixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.cleanup()));
});

const FAST = { CLAWFIX_START_TIMEOUT_MS: '8000', CLAWFIX_STOP_TIMEOUT_MS: '8000' };

/** A broken setup: device paired with operator.read only, gateway running, sub-agent refused write. */
async function broken(o: FixtureOptions = {}): Promise<Fixture> {
  const f = await makeStateDir({ devices: [{ scopes: ['operator.read'] }], ...o });
  fixtures.push(f);
  f.fake.writeCtl({ subagentScopes: ['operator.write'] });
  const r = await runOpenclaw(['gateway', 'start'], { fixture: f });
  expect(r.code).toBe(0);
  await waitFor(() => healthz(f.port), { timeoutMs: 10_000, what: 'fake gateway up' });
  return f;
}

function fix(f: Fixture, args: string[], env: Record<string, string> = {}) {
  return runCli(['fix', ...args], { fixture: f, env: { ...FAST, ...env } });
}

describe.each([
  { name: 'JSON store (2026.7.35)', version: '2026.7.35' },
  { name: 'SQLite store (2026.9.6)', version: '2026.9.6' },
])('fix on $name', ({ version }) => {
  test('--yes grants exactly operator.write, leaves the gateway running and the sub-agent accepted', async () => {
    const f = await broken({ version });
    const before = f.readStore();
    expect((await agentCall(f.port)).ok).toBe(false);
    const r = await fix(f, ['--yes']);
    expect(`${r.stdout}\n${r.stderr}`).toContain('Repaired');
    expect(r.code).toBe(0);
    const after = f.readStore();
    const d = after.paired[f.deviceId]!;
    expect(d.approvedScopes).toEqual(['operator.read', 'operator.write']);
    expect(d.scopes).toEqual(['operator.read', 'operator.write']);
    expect(Object.keys(after.paired)).toEqual(Object.keys(before.paired));
    expect(await healthz(f.port)).toBe(true);
    expect((await agentCall(f.port)).ok).toBe(true);
    assertNoSecrets([r.stdout, r.stderr], f.secrets);
  });

  test('--dry-run shows the plan and a diff and touches nothing', async () => {
    const f = await broken({ version });
    const tree = await hashTree(f.stateDir, { ignore: (p) => /sqlite-(wal|shm)$/.test(p) });
    const callsBefore = f.fake.calls().length;
    const r = await fix(f, ['--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('operator.write');
    expect(r.stdout).toMatch(/^\+.*operator\.write/m);
    expect(await hashTree(f.stateDir, { ignore: (p) => /sqlite-(wal|shm)$/.test(p) })).toEqual(tree);
    const newCalls = f.fake.calls().slice(callsBefore);
    expect(newCalls.filter((c) => /gateway (stop|start|restart)|devices approve/.test(c))).toEqual([]);
    assertNoSecrets([r.stdout, r.stderr], f.secrets);
  });

  test('no TTY and neither --yes nor --dry-run: exit 2 naming the flags, nothing changed', async () => {
    const f = await broken({ version });
    const r = await fix(f, []);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--yes/);
    expect(r.stderr).toMatch(/--dry-run/);
  });
});

test('JSON: stop comes before the first write and start after the last (call log order)', async () => {
  const f = await broken({ version: '2026.7.35' });
  const r = await fix(f, ['--yes']);
  expect(r.code).toBe(0);
  const calls = f.fake.calls().filter((c) => c.startsWith('gateway'));
  expect(calls.slice(-2)).toEqual(['gateway stop', 'gateway start']);
  const backups = fs.readdirSync(path.join(f.stateDir, 'clawfix', 'backups'));
  expect(backups).toHaveLength(1);
  const dir = path.join(f.stateDir, 'clawfix', 'backups', backups[0]!);
  expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
  for (const name of fs.readdirSync(dir)) expect(fs.statSync(path.join(dir, name)).mode & 0o777).toBe(0o600);
  expect(fs.statSync(f.paths.paired).mode & 0o777).toBe(0o600);
});

test('a foreground gateway (`openclaw gateway run`, no service) is stopped by pid and started again with the same command', async () => {
  const f = await makeStateDir({ version: '2026.7.35', devices: [{ scopes: ['operator.read'] }] });
  fixtures.push(f);
  f.fake.writeCtl({ subagentScopes: ['operator.write'] });
  const { spawn } = await import('node:child_process');
  const { cliEnv } = await import('./helpers/cli.js');
  const child = spawn(path.join(f.fake.binDir, 'openclaw'), ['gateway', 'run'], { env: cliEnv({ fixture: f }), detached: true, stdio: 'ignore' });
  child.unref();
  try {
    await waitFor(() => healthz(f.port), { timeoutMs: 10_000, what: 'foreground gateway up' });
    expect((await runOpenclaw(['gateway', 'stop'], { fixture: f })).stdout).toMatch(/not loaded/);
    expect(await healthz(f.port)).toBe(true); // the service command cannot stop it
    const r = await fix(f, ['--yes']);
    expect(r.code).toBe(0);
    expect(await healthz(f.port)).toBe(true);
    expect((await agentCall(f.port)).ok).toBe(true);
    expect(f.readStore().paired[f.deviceId]!.approvedScopes).toEqual(['operator.read', 'operator.write']);
    expect(fs.existsSync(path.join(f.stateDir, 'clawfix', 'gateway-process.json'))).toBe(false);
  } finally {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* already gone: the relaunched gateway is killed by cleanup() via its port */
    }
  }
});

test('after a repair on a release that never approves scope upgrades, fix says how to keep it from happening again', async () => {
  const f = await broken({ version: '2026.7.35' });
  const r = await fix(f, ['--yes']);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('To keep this from happening again');
  expect(r.stdout).toMatch(/2026\.8/);
});
