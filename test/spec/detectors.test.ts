/**
 * Detectors are pure functions of a snapshot: specs on snapshots built in memory (the CLI-level matrix
 * in test/detectors.test.ts proves the same through real files and processes). The runner turns a
 * throwing check into a finding and keeps the others.
 */
import { describe, expect, test } from '@jest/globals';
import { roleOf, runDetectors } from '../../src/detect/index.js';
import { scopeUpgrade } from '../../src/detect/scope-upgrade.js';
import type { Detector } from '../../src/types.js';
import * as L from '../helpers/logs.js';
import { device, LOCAL_ID, NOW, OTHER_ID, pending, snap } from '../helpers/snapshot.js';

const READ = 'operator.read';
const WRITE = 'operator.write';
const ADMIN = 'operator.admin';
const ids = (s: ReturnType<typeof snap>) => runDetectors(s).map((f) => f.id);

describe('scope-upgrade', () => {
  const audit = (to: string[], at = NOW - 60_000) => L.auditScopeUpgrade({ deviceId: LOCAL_ID, from: [READ], to, client: 'gateway-client', time: at });

  test('an audit line not followed by an approval names the device, what is missing and the smallest grant', () => {
    const [f] = scopeUpgrade.detect(snap({ lines: [audit([READ, WRITE])], pending: [pending({ scopes: [READ, WRITE] })] }));
    expect(f).toMatchObject({ id: 'scope-upgrade', severity: 'error', device: { deviceId: LOCAL_ID }, requestId: 'req-1', missingScopes: [WRITE], approvedScopes: [READ] });
    expect(f!.detail).toContain("This machine's own identity");
    expect(f!.detail).toContain('never approves a scope upgrade silently');
  });

  test('an approval after the audit line clears it; a device that is not paired is not an upgrade', () => {
    expect(scopeUpgrade.detect(snap({ lines: [audit([READ, WRITE]), L.pairingApproved({ deviceId: LOCAL_ID, time: NOW - 1000 })] }))).toEqual([]);
    expect(scopeUpgrade.detect(snap({ lines: [L.auditScopeUpgrade({ deviceId: OTHER_ID, from: [READ], to: [WRITE] })] }))).toEqual([]);
  });

  test('2026.2.19–2.21: operator.admin does not cover operator.write', () => {
    const admin = device({ scopes: [ADMIN, 'operator.approvals', 'operator.pairing'] });
    const s = (version: string) => snap({ version, paired: [admin], lines: [L.auditScopeUpgrade({ deviceId: LOCAL_ID, from: [ADMIN], to: [ADMIN, WRITE] })] });
    expect(scopeUpgrade.detect(s('2026.2.21'))[0]?.missingScopes).toEqual([WRITE]);
    expect(scopeUpgrade.detect(s('2026.4.21'))).toEqual([]);
  });

  test('admin is offered only with consent in the suggested command', () => {
    const [f] = scopeUpgrade.detect(snap({ lines: [audit([READ, ADMIN])] }));
    expect(f!.missingScopes).toEqual([ADMIN]);
    expect(f!.suggestedFix.command).toContain('--allow-admin');
  });

  test('a device with no operator token is a role upgrade, never a scope upgrade', () => {
    const s = snap({ paired: [device({ tokens: [] })], lines: [audit([READ, WRITE])] });
    expect(ids(s)).toContain('role-upgrade');
    expect(ids(s)).not.toContain('scope-upgrade');
  });
});

describe('the rest of the registry', () => {
  test('era-never-approves is advice beside a scope upgrade on E4, silent on E5', () => {
    const lines = [L.auditScopeUpgrade({ deviceId: LOCAL_ID, from: [READ], to: [READ, WRITE], time: NOW - 1000 })];
    expect(ids(snap({ lines }))).toEqual(expect.arrayContaining(['scope-upgrade', 'era-never-approves']));
    expect(ids(snap({ version: '2026.9.6', lines }))).not.toContain('era-never-approves');
    expect(roleOf('era-never-approves')).toBe('advice');
    expect(roleOf('scope-upgrade')).toBe('cause');
  });

  test('token-invalidated after the gateway started; a refusal before the start is history', () => {
    const start = NOW - 600_000;
    expect(ids(snap({ startedAtMs: start, lines: [L.deviceTokenMismatch({ time: NOW - 1000 })] }))).toContain('token-invalidated');
    expect(ids(snap({ startedAtMs: start, lines: [L.deviceTokenMismatch({ time: start - 1000 })] }))).not.toContain('token-invalidated');
  });

  test('gateway-not-running and gateway-in-container come from the snapshot alone', () => {
    expect(ids(snap({ running: false }))).toContain('gateway-not-running');
    const inCtr = snap({ patch: { gateway: { port: 18789, running: true, probe: 'healthz', container: { relation: 'outside', runtime: 'docker', name: 'gw', via: 'cgroup', pid: 42 } } } });
    const f = runDetectors(inCtr).find((x) => x.id === 'gateway-in-container');
    expect(f).toMatchObject({ severity: 'info', title: 'The gateway runs in a docker container (gw)' });
  });

  test('a healthy install has no finding', () => {
    expect(runDetectors(snap({ paired: [device({ scopes: [READ, WRITE] })] }))).toEqual([]);
  });
});

describe('the runner', () => {
  test('a throwing check becomes detector-failed; the others still run; errors sort before info', () => {
    const boom: Detector = {
      id: 'invalid-bind',
      role: 'cause',
      detect() {
        throw new Error('bad data');
      },
    };
    const note: Detector = { id: 'pending-expired', role: 'cause', detect: () => [{ id: 'pending-expired', severity: 'info', title: 'n', detail: '', evidence: [], suggestedFix: { kind: 'manual', description: '' } }] };
    const out = runDetectors(snap({ lines: [L.auditScopeUpgrade({ deviceId: LOCAL_ID, from: [READ], to: [READ, WRITE] })] }), [note, boom, scopeUpgrade]);
    expect(out.map((f) => f.id)).toEqual(['scope-upgrade', 'detector-failed', 'pending-expired']);
    expect(out[1]!.title).toBe('Check "invalid-bind" failed: bad data');
  });
});

describe('eras and causes (issue 10)', () => {
  test('2026.3.28–3.31 never approve a local scope upgrade (E4); 3.24 still does (E3)', async () => {
    const { decideEra } = await import('../../src/openclaw/version.js');
    const era = (v: string) => decideEra(v, { jsonPairedExists: true, jsonMigrated: false, sqliteExists: false, sqlitePairedRows: 0 });
    expect(era('2026.3.28')).toMatchObject({ era: 'E4', localScopeUpgradeSilent: false });
    expect(era('2026.3.31')).toMatchObject({ era: 'E4' });
    expect(era('2026.3.24')).toMatchObject({ era: 'E3', localScopeUpgradeSilent: true });
  });

  test('on E5 with autoApproveLocal false the finding names the setting and edit-config', () => {
    const s = snap({ version: '2026.9.6', lines: [L.auditScopeUpgrade({ deviceId: LOCAL_ID, from: [READ], to: [READ, WRITE] })] });
    const withSetting = { ...s, config: { ...s.config, value: { gateway: { nodes: { pairing: { autoApproveLocal: false } } } } } };
    expect(scopeUpgrade.detect(withSetting)[0]!.detail).toMatch(/gateway\.nodes\.pairing\.autoApproveLocal is false in .*openclaw\.json.*`clawfix edit-config`/);
    expect(scopeUpgrade.detect(s)[0]!.detail).toContain('the upgrade was not approved');
  });

  test('a leftover identity/device-auth.json on the SQLite line is flagged with OpenClaw’s own remedy', () => {
    const s = snap({ version: '2026.9.6', patch: { legacyDeviceAuth: '/home/u/.openclaw/identity/device-auth.json' } });
    const f = runDetectors(s).find((x) => x.id === 'legacy-device-auth');
    expect(f).toMatchObject({ severity: 'warning', suggestedFix: { command: 'openclaw gateway stop && openclaw doctor --fix && openclaw gateway start' } });
    expect(runDetectors(snap({ version: '2026.7.35', patch: { legacyDeviceAuth: '/x' } })).map((x) => x.id)).not.toContain('legacy-device-auth');
  });
});

describe('the real sub-agent spawn (issue 10)', () => {
  /** The first refusal of a spawn: `sessions.patch` asks for operator.admin with this machine's own identity. */
  const spawnRefused = (version: string) =>
    snap({ version, lines: [L.auditScopeUpgrade({ deviceId: LOCAL_ID, from: [READ], to: [ADMIN], client: 'gateway-client', time: NOW - 1000 })] });

  test('2026.2.21: the spawn needs operator.admin (sessions.patch) AND operator.write (agent): both in one finding', () => {
    const [f] = scopeUpgrade.detect(spawnRefused('2026.2.21'));
    expect(f!.spawn?.calls).toEqual([
      { call: 'sessions.patch', scope: ADMIN },
      { call: 'agent', scope: WRITE },
    ]);
    expect(f!.missingScopes).toEqual([ADMIN, WRITE]);
    expect(f!.title).toBe(`Sub-agent spawns are refused: This machine's own identity (aaaaaaaa…aaaa) was refused ${ADMIN}, ${WRITE}`);
    expect(f!.detail).toContain(`A sub-agent spawn on OpenClaw 2026.2.21 needs ${ADMIN} (sessions.patch) and ${WRITE} (agent)`);
    expect(f!.detail).toContain('operator.admin needs your consent');
    expect(f!.suggestedFix.command).toContain('--allow-admin');
  });

  test('2026.4.21: admin covers write there, so operator.admin alone repairs the spawn', () => {
    const [f] = scopeUpgrade.detect(spawnRefused('2026.4.21'));
    expect(f!.spawn).toBeDefined();
    expect(f!.missingScopes).toEqual([ADMIN]);
  });

  test('from 2026.4.25 the spawn does not use the identity: an admin request is an ordinary scope upgrade', () => {
    const [f] = scopeUpgrade.detect(spawnRefused('2026.5.12'));
    expect(f!.spawn).toBeUndefined();
    expect(f!.title).toMatch(/^This machine's own identity/);
  });
});

test('another paired device is named by its label; this machine’s identity by what it is', () => {
  const laptop = 'c'.repeat(64);
  const s = snap({ paired: [device(), device({ deviceId: laptop, displayName: 'laptop' })], lines: [L.auditScopeUpgrade({ deviceId: laptop, from: [READ], to: [ADMIN, READ, WRITE], client: 'cli', time: NOW - 1000 })] });
  const f = runDetectors(s).find((x) => x.id === 'scope-upgrade')!;
  expect(f.title).toBe(`Device laptop (cccccccc…cccc) was refused ${ADMIN}, ${WRITE}`);
  // a CLI asking several scopes: the non-admin part is the repair that runs, admin its own consent-gated step
  // One story with the plan: without consent `fix --yes` grants operator.write, and admin is its own consent-gated step.
  expect(f.missingScopes).toEqual([ADMIN]);
  expect(f.suggestedFix.description).toMatch(/^add exactly operator\.write \(what `clawfix fix --yes` grants\).*operator\.admin, also requested, is a second, consent-gated step/);
  expect(f.suggestedFix.command).toBe(`clawfix fix --device ${laptop}`);
});
