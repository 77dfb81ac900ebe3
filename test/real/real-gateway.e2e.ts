/**
 * clawfix end to end against REAL OpenClaw gateways (`npm run test:real`), one per store era:
 *   2026.7.35 — the last JSON-store release (devices/paired.json; E4: local scope upgrades never silent)
 *   2026.9.6  — the SQLite store (state/openclaw.sqlite; gateway.nodes.pairing.autoApproveLocal: false)
 *
 * For each: start an isolated gateway, pair this state dir's own device identity (the one the CLI and
 * the gateway's sub-agents share) with operator.read only through a CLI-shaped connection, let a client
 * presenting that identity ask for operator.write and watch the real gateway refuse it (1008 "pairing required", the
 * PAIRING_REQUIRED/scope-upgrade details, the security-audit log line). Then the BUILT clawfix:
 * `diagnose --json` must name scope-upgrade and the device; `fix --yes` with a fault injected after the
 * patch must leave the store exactly as it was and the gateway serving; `fix --yes` must repair it, and
 * the same client call must then succeed with the write scope.
 *
 * A second pair of suites runs the gateway the way a terminal, tmux or a container does — a plain
 * `openclaw gateway run` that no service manager owns — with the REAL `openclaw` CLI on PATH, and
 * proves clawfix stops it and starts it again (7.35: the scope-upgrade repair and its rollback, which
 * restart the gateway; 9.6: the restart that repairs a refused stale device token).
 *
 * The client is the package's own GatewayClient (exported as `openclaw/plugin-sdk/gateway-runtime`).
 * How it presents itself differs, because the real gateways differ:
 *   - 7.35: as the sub-agent does (`gateway-client`/`backend`) with the device identity. (7.35's own
 *     callGateway omits the identity when the shared token authenticates a loopback backend call — the
 *     refusal then needs `auth.mode: none`; a client with the identity is refused under token auth once
 *     the identity is paired. An UNPAIRED identity on that path is not pairing-checked at all: the
 *     first connect passes without creating a record, so the CLI shape pairs it first.)
 *   - 9.6: as the CLI (`cli`/`cli`) with the device identity. 9.6 never pairing-checks a loopback
 *     `gateway-client`/`backend` that holds the shared token, even when it presents an identity (seen
 *     here: it was accepted with operator.admin and no audit line), so only the CLI shape reproduces.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { assertNoSecrets } from '../helpers/cli.js';
import { RealGateway, secretsOf, unavailable, waitForLog, waitForRawLog, type VersionCase } from './harness.js';

const CASES: VersionCase[] = [
  { version: '2026.7.35', store: 'json', client: { id: 'gateway-client', mode: 'backend' }, config: {} },
  {
    version: '2026.9.6',
    store: 'sqlite',
    client: { id: 'cli', mode: 'cli' },
    config: {
      models: { catalogRefresh: { enabled: false } },
      // Otherwise 2026.8+ approves a local scope upgrade silently and there is nothing to repair.
      gateway: { nodes: { pairing: { autoApproveLocal: false } } },
    },
  },
];

/** The CLI's shape: it pairs the shared identity first (read-only here), as on a real host. */
const CLI = { id: 'cli', mode: 'cli' };
const READ = ['operator.read'];
const READ_WRITE = ['operator.read', 'operator.write'];

interface DiagnoseJson {
  ok: boolean;
  openclaw: { version?: string; store: { kind: string }; gateway: { running: boolean | null; port: number } };
  findings: { id: string; device?: { deviceId: string }; missingScopes?: string[]; requestId?: string }[];
}

const installs = JSON.parse(process.env.CLAWFIX_E2E_INSTALLS ?? '{}') as Record<string, string>;

/** One gateway per describe block: started before, stopped (and every process it spawned killed) after. */
function lifecycle(gw: RealGateway) {
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const onSignal = (sig: NodeJS.Signals) => {
    void gw.cleanup().finally(() => process.kill(process.pid, sig));
  };
  beforeAll(async () => {
    await gw.setup();
    for (const s of signals) process.once(s, onSignal);
    await gw.explain('start the gateway', async () => gw.timing(`gateway cold start${gw.mode === 'foreground' ? ' (foreground)' : ''}`, await gw.start()));
  }, 180_000);
  afterAll(async () => {
    for (const s of signals) process.removeListener(s, onSignal);
    await gw.cleanup();
  }, 120_000);
}

/** Pair the state dir's own identity with operator.read only, through a CLI-shaped connection. */
async function pairReadOnly(gw: RealGateway): Promise<string> {
  let r = await gw.client(READ, CLI);
  if (!r.ok && r.details?.reason === 'not-paired' && r.details.requestId) {
    // 2026.8+ with autoApproveLocal:false: even the first pairing waits for an approval, like a new device.
    expect(gw.vc.store).toBe('sqlite');
    const a = await gw.openclaw(['devices', 'approve', r.details.requestId]);
    expect(a.code).toBe(0);
    r = await gw.client(READ, CLI);
  }
  expect(r).toMatchObject({ ok: true, auth: { role: 'operator', scopes: READ } });
  expect(r.deviceId).toMatch(/^[0-9a-f]{64}$/);
  expect(await gw.approvedScopes(r.deviceId)).toEqual(READ);
  return r.deviceId;
}

for (const vc of CASES) {
  const why = unavailable(vc.version);
  if (why) {
    describe(`openclaw@${vc.version}`, () => {
      test.skip(`SKIPPED — ${why}`, () => {});
    });
    continue;
  }

  describe(`openclaw@${vc.version} (${vc.store} store), real gateway run by a service manager`, () => {
    const gw = new RealGateway(vc, installs[vc.version]!);
    let deviceId = '';
    const secrets = async () => [...secretsOf(gw), ...(await gw.sqliteSecrets())];
    const step = <T>(what: string, fn: () => Promise<T>) =>
      gw.explain(what, async () => {
        if (what !== 'pairing' && !deviceId) throw new Error('no paired device: the pairing test failed (see above)');
        return fn();
      });
    lifecycle(gw);

    test('pairs the state dir’s own device identity with operator.read only', () =>
      step('pairing', async () => {
        const t0 = Date.now();
        deviceId = await pairReadOnly(gw);
        gw.timing('pair read-only', Date.now() - t0);
      }));

    test('the real gateway refuses operator.write: 1008 pairing required, scope-upgrade, audit line', () =>
      step('real refusal', async () => {
        const r = await gw.client(READ_WRITE);
        expect(r.ok).toBe(false);
        expect(r.error).toMatch(/scope upgrade pending approval \(requestId: [0-9a-f-]{36}\)/);
        expect(r.details).toMatchObject({ code: 'PAIRING_REQUIRED', reason: 'scope-upgrade', approvedScopes: READ, requestedScopes: READ_WRITE });
        const audit = await waitForLog(
          gw,
          new RegExp(`security audit: device access upgrade requested reason=scope-upgrade device=${deviceId} .*scopesFrom=operator\\.read scopesTo=operator\\.read,operator\\.write client=${vc.client.id} `),
        );
        expect(audit).toContain('roleFrom=operator roleTo=operator');
        await waitForRawLog(gw, [/closed before connect .*code=1008/, /"cause":"pairing-required"/, /"reason":"scope-upgrade"/, new RegExp(`"deviceId":"${deviceId}"`)]);
        expect(await gw.approvedScopes(deviceId)).toEqual(READ);
      }));

    test('clawfix diagnose --json names scope-upgrade and the device', () =>
      step('diagnose', async () => {
        const r = await gw.clawfix(['diagnose', '--json']);
        gw.timing('clawfix diagnose', r.durationMs);
        expect(r.code).toBe(1);
        const out = JSON.parse(r.stdout) as DiagnoseJson;
        expect(out.openclaw.version).toBe(vc.version);
        expect(out.openclaw.store.kind).toBe(vc.store);
        expect(out.openclaw.gateway).toMatchObject({ running: true, port: gw.port });
        const f = out.findings.find((x) => x.id === 'scope-upgrade');
        expect(f).toBeDefined();
        expect(f!.device?.deviceId).toBe(deviceId);
        expect(f!.missingScopes).toEqual(['operator.write']);
        assertNoSecrets([r.stdout, r.stderr], await secrets());
      }));

    test('a failure after the patch (verify:EIO) leaves the real store exactly as it was and the gateway serving', () =>
      step('rollback', async () => {
        const before = await gw.storeImage();
        const callsBefore = gw.serviceCalls().length;
        const r = await gw.clawfix(['fix', '--yes'], { CLAWFIX_TEST_FAULT: 'verify:EIO' });
        gw.timing('clawfix fix with injected fault + rollback', r.durationMs);
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/injected fault/);
        expect(r.stderr).toMatch(/rolled back/i);
        expect(await gw.serving()).toBe(true);
        expect(await gw.storeImage()).toBe(before);
        const calls = gw.serviceCalls().slice(callsBefore).filter((c) => /^gateway (stop|start)/.test(c));
        if (vc.store === 'json') {
          // stopped for the patch, started for verify; stopped again to restore, started again
          expect(calls.map((c) => c.split(' ').slice(0, 2).join(' '))).toEqual(['gateway stop', 'gateway start', 'gateway stop', 'gateway start']);
        } else {
          expect(calls).toEqual([]); // SQLite: no restart either way
        }
        // The real gateway agrees nothing was granted.
        const again = await gw.client(READ_WRITE);
        expect(again).toMatchObject({ ok: false, details: { code: 'PAIRING_REQUIRED', reason: 'scope-upgrade' } });
        expect((await gw.client(READ, CLI)).ok).toBe(true);
        assertNoSecrets([r.stdout, r.stderr], await secrets());
      }));

    test('clawfix fix --yes repairs it: the same client call now gets operator.write, gateway running', () =>
      step('fix', async () => {
        const pidBefore = gw.gatewayPid();
        const callsBefore = gw.serviceCalls().length;
        const r = await gw.clawfix(['fix', '--yes']);
        gw.timing('clawfix fix', r.durationMs);
        expect(`${r.stdout}\n${r.stderr}`).toMatch(/Repaired: Grant operator\.write/);
        expect(r.code).toBe(0);
        expect(await gw.serving()).toBe(true);
        const calls = gw.serviceCalls().slice(callsBefore);
        if (vc.store === 'json') {
          expect(calls.filter((c) => /^gateway (stop|start)/.test(c)).map((c) => c.split(' ').slice(0, 2).join(' '))).toEqual(['gateway stop', 'gateway start']);
          expect(gw.gatewayPid()).not.toBe(pidBefore); // really restarted through the service manager
        } else {
          expect(calls.filter((c) => /^gateway (stop|start)/.test(c))).toEqual([]);
          expect(calls.some((c) => /^devices approve [0-9a-f-]{36}$/.test(c))).toBe(true); // OpenClaw's own approval
          expect(gw.gatewayPid()).toBe(pidBefore);
        }
        expect(await gw.approvedScopes(deviceId)).toEqual(READ_WRITE);

        const ok = await gw.client(READ_WRITE);
        expect(ok).toMatchObject({ ok: true, auth: { role: 'operator' } });
        expect([...(ok.auth?.scopes ?? [])].sort()).toEqual(READ_WRITE);
        assertNoSecrets([r.stdout, r.stderr], await secrets());

        // And clawfix agrees there is nothing left to repair.
        const d = await gw.clawfix(['diagnose', '--json']);
        const out = JSON.parse(d.stdout) as DiagnoseJson;
        expect(out.findings.filter((x) => x.id === 'scope-upgrade')).toEqual([]);
      }));
  });

  describe(`openclaw@${vc.version}, foreground gateway (\`openclaw gateway run\`, no service manager), real CLI on PATH`, () => {
    const gw = new RealGateway(vc, installs[vc.version]!, 'foreground');
    const step = <T>(what: string, fn: () => Promise<T>) => gw.explain(what, fn);
    const record = () => `${gw.stateDir}/clawfix/gateway-process.json`;
    lifecycle(gw);

    if (vc.store === 'json') {
      let deviceId = '';
      test('scope-upgrade: the real CLI stops the unmanaged gateway itself; clawfix starts it again, rollback included', () =>
        step('foreground repair', async () => {
          deviceId = await pairReadOnly(gw);
          expect(await gw.client(READ_WRITE)).toMatchObject({ ok: false, details: { reason: 'scope-upgrade' } });
          await waitForLog(gw, new RegExp(`reason=scope-upgrade device=${deviceId} `));

          // A failure after the patch: stopped and started twice, store back, gateway serving.
          const before = await gw.storeImage();
          const pid0 = gw.gatewayPid();
          const bad = await gw.clawfix(['fix', '--yes'], { CLAWFIX_TEST_FAULT: 'verify:EIO' });
          gw.timing('foreground: fix with injected fault + rollback', bad.durationMs);
          expect(bad.stderr).toMatch(/rolled back/i);
          expect(bad.code).toBe(1);
          expect(await gw.serving()).toBe(true);
          expect(await gw.storeImage()).toBe(before);
          const pid1 = gw.gatewayPid();
          expect(pid1).toBeDefined();
          expect(pid1).not.toBe(pid0);
          expect(await gw.client(READ_WRITE)).toMatchObject({ ok: false, details: { reason: 'scope-upgrade' } });

          const r = await gw.clawfix(['fix', '--yes']);
          gw.timing('foreground: fix', r.durationMs);
          expect(`${r.stdout}\n${r.stderr}`).toMatch(/Repaired: Grant operator\.write/);
          expect(r.code).toBe(0);
          expect(await gw.serving()).toBe(true);
          expect(gw.gatewayPid()).not.toBe(pid1);
          expect(fs.existsSync(record())).toBe(false);
          const ok = await gw.client(READ_WRITE);
          expect(ok.ok).toBe(true);
          expect([...(ok.auth?.scopes ?? [])].sort()).toEqual(READ_WRITE);
        }));
    } else {
      test('token-invalidated: clawfix stops the gateway by pid and starts it again (its command line is gone: process.title)', () =>
        step('foreground restart', async () => {
          await pairReadOnly(gw);
          // A client holding a device token the gateway does not know: refused with device_token_mismatch.
          const stale = crypto.randomBytes(32).toString('base64url');
          const refused = await gw.client(READ, CLI, { E2E_DEVICE_TOKEN: stale });
          expect(refused).toMatchObject({ ok: false, details: { code: 'AUTH_DEVICE_TOKEN_MISMATCH' } });
          await waitForLog(gw, /reason=device_token_mismatch/);
          const pid0 = gw.gatewayPid();
          expect(pid0).toBeDefined();
          expect(fs.readFileSync(`/proc/${pid0}/cmdline`, 'utf8').replace(/\0+$/, '')).toBe('openclaw-gateway');

          const d = await gw.clawfix(['diagnose', '--json']);
          expect((JSON.parse(d.stdout) as DiagnoseJson).findings.map((f) => f.id)).toContain('token-invalidated');
          const r = await gw.clawfix(['fix', '--yes']);
          gw.timing('foreground: restart fix', r.durationMs);
          expect(`${r.stdout}\n${r.stderr}`).toMatch(/Repaired: Restart the gateway/);
          expect(r.code).toBe(0);
          expect(await gw.serving()).toBe(true);
          const pid1 = gw.gatewayPid();
          expect(pid1).toBeDefined();
          expect(pid1).not.toBe(pid0);
          expect(fs.existsSync(record())).toBe(false);
          expect((await gw.client(READ, CLI)).ok).toBe(true);
        }));
    }
  });
}
