/**
 * The sub-agent spawn (issue 10), against the fake gateway's spawn: `sessions.patch` with
 * operator.admin, then `agent` with operator.write, both with the state dir's own identity. On
 * 2026.2.21 admin does not cover write, so the whole spawn must be planned in one repair with one
 * admin consent; without consent nothing is granted (a part alone would not let a spawn run).
 */
import { afterEach, describe, expect, test } from '@jest/globals';
import fs from 'node:fs';
import path from 'node:path';
import { hashTree, runCli, runOpenclaw } from './helpers/cli.js';
import { makeStateDir, type Fixture } from './helpers/fixtures.js';
import * as L from './helpers/logs.js';
import { healthz, spawnCall, waitFor } from './helpers/wait.js';

const fixtures: Fixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.cleanup()));
});

const FAST = { CLAWFIX_START_TIMEOUT_MS: '8000', CLAWFIX_STOP_TIMEOUT_MS: '8000' };

async function refusedSpawn(version: string): Promise<Fixture> {
  const f = await makeStateDir({ version, devices: [{ scopes: ['operator.read'] }] });
  fixtures.push(f);
  expect((await runOpenclaw(['gateway', 'start'], { fixture: f })).code).toBe(0);
  await waitFor(() => healthz(f.port), { timeoutMs: 10_000, what: 'fake gateway up' });
  const r = await spawnCall(f.port);
  expect(r).toMatchObject({ ok: false, refusedAt: 'sessions.patch' });
  return f;
}

describe('a refused sub-agent spawn on 2026.2.21 (admin does not cover write)', () => {
  test('diagnose names both calls and the consent; fix --yes grants nothing and names --allow-admin; one --allow-admin run repairs the whole spawn', async () => {
    const f = await refusedSpawn('2026.2.21');
    const d = await runCli(['diagnose', '--json'], { fixture: f });
    const finding = (JSON.parse(d.stdout) as { findings: { id: string; missingScopes?: string[]; spawn?: unknown; detail: string }[] }).findings.find((x) => x.id === 'scope-upgrade')!;
    expect(finding.missingScopes).toEqual(['operator.admin', 'operator.write']);
    expect(finding.spawn).toBeDefined();
    expect(finding.detail).toContain('needs operator.admin (sessions.patch) and operator.write (agent)');

    const tree = await hashTree(f.stateDir);
    const calls = f.fake.calls().length;
    const no = await runCli(['fix', '--yes'], { fixture: f, env: FAST });
    expect(no.code).toBe(1);
    expect(no.stdout).toContain('Nothing was granted: a sub-agent spawn needs operator.admin (sessions.patch) and operator.write (agent)');
    expect(no.stdout).toContain('--allow-admin');
    expect(await hashTree(f.stateDir)).toEqual(tree);
    expect(f.fake.calls().slice(calls).filter((c) => c.startsWith('gateway'))).toEqual([]);

    const yes = await runCli(['fix', '--yes', '--allow-admin'], { fixture: f, env: FAST });
    expect(`${yes.stdout}\n${yes.stderr}`).toMatch(/Repaired: Grant operator\.admin, operator\.write to this machine's own identity/);
    expect(yes.code).toBe(0);
    expect(f.readStore().paired[f.deviceId]!.approvedScopes).toEqual(['operator.read', 'operator.admin', 'operator.write']);
    expect(await spawnCall(f.port)).toEqual({ ok: true });
  });
});

describe('a refused sub-agent spawn on 2026.4.21 (admin covers write)', () => {
  test('one fix --yes --allow-admin grants operator.admin only, and the spawn runs', async () => {
    const f = await refusedSpawn('2026.4.21');
    const r = await runCli(['fix', '--yes', '--allow-admin'], { fixture: f, env: FAST });
    expect(r.code).toBe(0);
    expect(f.readStore().paired[f.deviceId]!.approvedScopes).toEqual(['operator.read', 'operator.admin']);
    expect(await spawnCall(f.port)).toEqual({ ok: true });
  });
});

describe('logs where the version writes them (issue 10)', () => {
  /** Today's rolling file in `$TMPDIR/openclaw-<uid>/` (OpenClaw's fallback temp dir; 4.21 writes there even with logging.file set). */
  function rolling(f: Fixture): string {
    const d = new Date();
    const ymd = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    const dir = path.join(f.root, 'tmp', `openclaw-${process.getuid!()}`);
    fs.mkdirSync(dir, { recursive: true });
    return path.join(dir, `openclaw-${ymd}.log`);
  }

  test('logging.file is set but the gateway wrote the rolling file in its temp dir: that file is read too', async () => {
    const f = await makeStateDir({ version: '2026.4.21', devices: [{ scopes: ['operator.read'] }] });
    fixtures.push(f);
    const file = rolling(f);
    fs.writeFileSync(file, L.auditScopeUpgrade({ deviceId: f.deviceId, from: ['operator.read'], to: ['operator.read', 'operator.write'], client: 'cli' }) + '\n');
    const r = await runCli(['diagnose', '--json'], { fixture: f, env: { TMPDIR: path.join(f.root, 'tmp') } });
    const doc = JSON.parse(r.stdout) as { openclaw: { logFiles: string[] }; findings: { id: string }[] };
    expect(doc.openclaw.logFiles).toContain(file);
    expect(doc.findings.map((x) => x.id)).toContain('scope-upgrade');
  });

  test('a shared rolling file: the lines after another port’s start are that gateway’s, not counted, and said so', async () => {
    const f = await makeStateDir({ version: '2026.4.21', devices: [{ scopes: ['operator.read'] }] });
    fixtures.push(f);
    const file = rolling(f);
    const other = f.port === 18789 ? 18790 : 18789;
    const t = Date.now() - 60_000;
    fs.writeFileSync(file, [L.listening({ port: other, time: t }), L.deviceTokenMismatch({ time: t + 1000 }), L.deviceTokenMismatch({ time: t + 2000 })].join('\n') + '\n');
    const env = { TMPDIR: path.join(f.root, 'tmp') };
    const r = await runCli(['diagnose'], { fixture: f, env });
    expect(r.stdout).toContain(`${file} is shared: lines of the gateway on port ${other} are not counted here`);
    expect(r.stdout).not.toContain('[token-invalidated]');
    fs.appendFileSync(file, [L.listening({ port: f.port, time: t + 3000 }), L.deviceTokenMismatch({ time: t + 4000 })].join('\n') + '\n');
    expect((await runCli(['diagnose'], { fixture: f, env })).stdout).toContain('[token-invalidated]');
  });
});
