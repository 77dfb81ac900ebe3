/**
 * `clawfix diagnose` through the built CLI, against fixture state dirs in both store formats and both
 * log formats, with the fake `openclaw` first on PATH.
 */
import { afterEach, describe, expect, test } from '@jest/globals';
import { assertNoSecrets, hashTree, runCli } from './helpers/cli.js';
import { makeStateDir, type Fixture, type FixtureOptions } from './helpers/fixtures.js';
import * as L from './helpers/logs.js';

const fixtures: Fixture[] = [];
async function fixture(o: FixtureOptions): Promise<Fixture> {
  const f = await makeStateDir(o);
  fixtures.push(f);
  return f;
}
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.cleanup()));
});

interface DiagJson {
  ok: boolean;
  openclaw: { version: string | null; stateDir: string; configPath: string; logFiles: string[]; store: { kind: string; ok: boolean }; gateway: { running: boolean | null } };
  findings: { id: string; severity: string; device?: { deviceId: string }; missingScopes?: string[]; requestedScopes?: string[]; approvedScopes?: string[]; evidence: { text: string }[] }[];
}

async function diagnose(f: Fixture, extra: string[] = []) {
  const r = await runCli(['diagnose', '--json', ...extra], { fixture: f });
  let json: DiagJson | undefined;
  try {
    json = JSON.parse(r.stdout) as DiagJson;
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  assertNoSecrets([r.stdout, r.stderr], f.secrets);
  return { ...r, json };
}

const ERAS: { name: string; opts: FixtureOptions }[] = [
  { name: 'JSON store (2026.7.35)', opts: { version: '2026.7.35' } },
  { name: 'JSON store (2026.2.21)', opts: { version: '2026.2.21', emptySqlite: false } },
  { name: 'SQLite store (2026.9.6)', opts: { version: '2026.9.6' } },
];

describe.each(ERAS)('diagnose on $name', ({ opts }) => {
  test('a healthy setup yields no findings and exit 0', async () => {
    const f = await fixture({ ...opts, devices: [{ scopes: ['operator.read', 'operator.write'] }] });
    await f.fake.writeCtl({});
    await runCli(['--version'], { fixture: f });
    const start = await import('./helpers/cli.js').then((m) => m.runOpenclaw(['gateway', 'start'], { fixture: f }));
    expect(start.code).toBe(0);
    const { waitFor, healthz } = await import('./helpers/wait.js');
    await waitFor(() => healthz(f.port), { timeoutMs: 10_000, what: 'gateway up' });
    const r = await diagnose(f);
    expect(r.json.findings).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.json.ok).toBe(true);
    expect(r.json.openclaw.gateway.running).toBe(true);
    expect(r.json.openclaw.store.kind).toBe(f.store);
  });

  test.each(['json', 'console'] as const)('names scope-upgrade from a %s audit line and the store', async (format) => {
    const f = await fixture({ ...opts, devices: [{ scopes: ['operator.read'] }] });
    f.appendLog([
      L.listening({ port: f.port, time: Date.now() - 60_000, format }),
      L.auditScopeUpgrade({ deviceId: f.deviceId, from: ['operator.read'], to: ['operator.write'], time: Date.now() - 30_000, format }),
    ]);
    const before = await hashTree(f.stateDir);
    const r = await diagnose(f);
    expect(r.code).toBe(1);
    const su = r.json.findings.find((x) => x.id === 'scope-upgrade');
    expect(su).toBeDefined();
    expect(su!.device!.deviceId).toBe(f.deviceId);
    expect(su!.missingScopes).toEqual(['operator.write']);
    expect(su!.approvedScopes).toEqual(['operator.read']);
    expect(su!.evidence.some((e) => e.text.includes('reason=scope-upgrade'))).toBe(true);
    expect(await hashTree(f.stateDir)).toEqual(before);
  });

  test('an audit followed by an approval is resolved (no finding)', async () => {
    const f = await fixture({ ...opts, devices: [{ scopes: ['operator.read', 'operator.write'] }] });
    f.appendLog([
      L.auditScopeUpgrade({ deviceId: f.deviceId, from: ['operator.read'], to: ['operator.write'], time: Date.now() - 30_000 }),
      L.pairingApproved({ deviceId: f.deviceId, time: Date.now() - 20_000 }),
    ]);
    const r = await diagnose(f);
    expect(r.json.findings.filter((x) => x.id === 'scope-upgrade')).toEqual([]);
  });

  test('a pending repair request exceeding the approved scopes is a scope-upgrade even without logs', async () => {
    const f = await fixture({ ...opts, devices: [{ scopes: ['operator.read'] }], pending: [{ scopes: ['operator.read', 'operator.write'] }] });
    const r = await diagnose(f);
    const su = r.json.findings.find((x) => x.id === 'scope-upgrade');
    expect(su?.missingScopes).toEqual(['operator.write']);
  });
});

test('admin covers write: a device approved for operator.admin is not refused operator.write', async () => {
  const f = await fixture({ version: '2026.7.35', devices: [{ scopes: ['operator.admin'] }] });
  f.appendLog([L.auditScopeUpgrade({ deviceId: f.deviceId, from: ['operator.admin'], to: ['operator.write'], time: Date.now() - 5000 })]);
  const r = await diagnose(f);
  expect(r.json.findings.filter((x) => x.id === 'scope-upgrade')).toEqual([]);
});

test('human output shows the evidence and the fix, with secrets redacted', async () => {
  const f = await fixture({ version: '2026.7.35', devices: [{ scopes: ['operator.read'] }] });
  f.appendLog([L.auditScopeUpgrade({ deviceId: f.deviceId, from: ['operator.read'], to: ['operator.write'], time: Date.now() - 5000 })]);
  const r = await runCli(['diagnose', '--verbose'], { fixture: f });
  expect(r.code).toBe(1);
  expect(r.stdout).toContain('scope-upgrade');
  expect(r.stdout).toContain('operator.write');
  expect(r.stdout).toContain('clawfix fix');
  assertNoSecrets([r.stdout, r.stderr], f.secrets);
});

test('2026.2.19–2.21 (E2): operator.admin does NOT cover operator.write, so the classic refusal is named', async () => {
  const bundle = ['operator.admin', 'operator.approvals', 'operator.pairing'];
  const f = await fixture({ version: '2026.2.21', emptySqlite: false, devices: [{ scopes: bundle }] });
  f.appendLog([L.auditScopeUpgrade({ deviceId: f.deviceId, from: bundle, to: ['operator.write'], time: Date.now() - 5000 })]);
  const r = await diagnose(f);
  const su = r.json.findings.find((x) => x.id === 'scope-upgrade');
  expect(su?.missingScopes).toEqual(['operator.write']);
  // The same store on 2026.7.35 is fine: admin covers write there.
  f.fake.writeCtl({ version: '2026.7.35' });
  const r2 = await diagnose(f);
  expect(r2.json.findings.filter((x) => x.id === 'scope-upgrade')).toEqual([]);
});

describe.each([
  { version: '2026.7.35', spec: { tokens: false } },
  { version: '2026.7.35', spec: { tokenRevoked: true } },
  { version: '2026.9.6', spec: { tokens: false } },
])('role-upgrade on $version ($spec)', ({ version, spec }) => {
  test('no active operator token: named as role-upgrade, not scope-upgrade, and fix does not pretend to repair it', async () => {
    const f = await fixture({ version, devices: [{ scopes: ['operator.read'], ...spec }] });
    f.fake.writeCtl({ subagentScopes: ['operator.write'] });
    const { runOpenclaw } = await import('./helpers/cli.js');
    const { waitFor, healthz } = await import('./helpers/wait.js');
    expect((await runOpenclaw(['gateway', 'start'], { fixture: f })).code).toBe(0);
    await waitFor(() => healthz(f.port), { timeoutMs: 10_000, what: 'gateway up' });
    const r = await diagnose(f);
    const ids = r.json.findings.map((x) => x.id);
    expect(ids).toContain('role-upgrade');
    expect(ids).not.toContain('scope-upgrade');
    expect(r.code).toBe(1);
    const before = await hashTree(f.stateDir, { ignore: (p) => /sqlite-(wal|shm)$/.test(p) });
    const fx = await runCli(['fix', '--yes'], { fixture: f, env: { CLAWFIX_START_TIMEOUT_MS: '8000' } });
    expect(fx.code).toBe(1);
    expect(fx.stdout).toContain('Nothing clawfix can repair automatically');
    expect(fx.stdout).toMatch(/openclaw devices (approve|rotate)/);
    expect(await hashTree(f.stateDir, { ignore: (p) => /sqlite-(wal|shm)$/.test(p) })).toEqual(before);
  });
});
