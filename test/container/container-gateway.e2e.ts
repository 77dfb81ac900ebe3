/**
 * clawfix against REAL OpenClaw gateways in REAL containers (`npm run test:container`), one per store
 * era (2026.7.35 JSON, 2026.9.6 SQLite), each the main process of a podman container (`--init`, host
 * network, the uid-1000 state dir bind-mounted from the host), plus one container managed by
 * docker-compose through podman's Docker API.
 *
 * For each: pair the state dir's own identity read-only, let a client ask for operator.write and watch
 * the real gateway refuse it, then run the BUILT clawfix on the host against the host path of the state
 * dir with no `openclaw` on the host's PATH.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import fs from 'node:fs';
import path from 'node:path';
import { assertNoSecrets } from '../helpers/cli.js';
import { ContainerGateway, unavailable, type ContainerCase } from './harness.js';
import { podman } from './runtime.mjs';

const CASES: ContainerCase[] = [
  { version: '2026.7.35', store: 'json', client: { id: 'gateway-client', mode: 'backend' }, config: {} },
  {
    version: '2026.9.6',
    store: 'sqlite',
    client: { id: 'cli', mode: 'cli' },
    config: { models: { catalogRefresh: { enabled: false } }, gateway: { nodes: { pairing: { autoApproveLocal: false } } } },
  },
];

const CLI = { id: 'cli', mode: 'cli' };
const READ = ['operator.read'];
const READ_WRITE = ['operator.read', 'operator.write'];

interface DiagnoseJson {
  openclaw: { version?: string; store: { kind: string }; gateway: { running: boolean | null; port: number } };
  findings: { id: string; title: string; detail: string; device?: { deviceId: string }; missingScopes?: string[] }[];
}

function lifecycle(gw: ContainerGateway, start: () => Promise<number> = () => gw.start()) {
  beforeAll(async () => {
    await gw.setup();
    await gw.explain('start the gateway container', async () => gw.timing('gateway cold start in a container', await start()));
  }, 300_000);
  afterAll(() => gw.cleanup(), 60_000);
}

/** Pair the state dir's identity with operator.read only (9.6 waits for an approval: the CLI in the container gives it). */
async function pairReadOnly(gw: ContainerGateway): Promise<string> {
  let r = await gw.client(READ, CLI);
  if (!r.ok && r.details?.reason === 'not-paired' && r.details.requestId) {
    expect(gw.vc.store).toBe('sqlite');
    const a = await gw.exec(['devices', 'approve', r.details.requestId]);
    expect(a).toMatchObject({ code: 0 });
    r = await gw.client(READ, CLI);
  }
  expect(r).toMatchObject({ ok: true, auth: { role: 'operator', scopes: READ } });
  expect(await gw.approvedScopes(r.deviceId)).toEqual(READ);
  return r.deviceId;
}

/** The refusal, from the real gateway in the container. */
async function refuse(gw: ContainerGateway, deviceId: string): Promise<void> {
  const r = await gw.client(READ_WRITE);
  expect(r).toMatchObject({ ok: false, deviceId, details: { code: 'PAIRING_REQUIRED', reason: 'scope-upgrade' } });
  expect(r.details?.approvedScopes).toEqual(READ);
}

for (const vc of CASES) {
  const why = unavailable(vc.version);
  if (why) {
    describe(`openclaw@${vc.version} in a container`, () => {
      test.skip(`SKIPPED — ${why}`, () => {});
    });
    continue;
  }

  describe(`openclaw@${vc.version} (${vc.store} store), the main process of a podman container, state dir bind-mounted`, () => {
    const gw = new ContainerGateway(vc);
    let deviceId = '';
    const step = <T>(what: string, fn: () => Promise<T>) =>
      gw.explain(what, async () => {
        if (what !== 'pairing' && !deviceId) throw new Error('no paired device: the pairing test failed (see above)');
        return fn();
      });
    lifecycle(gw);

    test('a client of the containerized gateway is refused operator.write (1008, scope-upgrade)', () =>
      step('pairing', async () => {
        const t0 = Date.now();
        deviceId = await pairReadOnly(gw);
        gw.timing('pair read-only', Date.now() - t0);
        await refuse(gw, deviceId);
        expect(gw.foreignOwned()).toEqual([]);
      }));

    test('clawfix diagnose on the host names the refusal and the container (podman, its name, the bind mount)', () =>
      step('diagnose', async () => {
        const r = await gw.clawfix(['diagnose', '--json']);
        gw.timing('clawfix diagnose', r.durationMs);
        expect(r.code).toBe(1);
        const out = JSON.parse(r.stdout) as DiagnoseJson;
        expect(out.openclaw.gateway).toMatchObject({ running: true, port: gw.port });
        const f = out.findings.find((x) => x.id === 'scope-upgrade');
        expect(f?.device?.deviceId).toBe(deviceId);
        expect(f?.missingScopes).toEqual(['operator.write']);
        const c = out.findings.find((x) => x.id === 'gateway-in-container');
        expect(c?.title).toBe(`The gateway runs in a podman container (${gw.name})`);
        expect(c?.detail).toContain(`${gw.stateDir} → /home/node/.openclaw`);
        expect(c?.detail).toContain(`podman stop -t N ${gw.name}`);
        assertNoSecrets([r.stdout, r.stderr], await gw.secrets());
      }));

    if (vc.store === 'json') {
      test('clawfix inside the container (podman exec, as its user) never stops the main process: refused with the host command', () =>
        step('inside', async () => {
          const before = await gw.hostImage();
          const st0 = await gw.state();
          const inside = (args: string[]) => podman(['exec', '-e', 'NO_COLOR=1', gw.name, 'node', '/opt/clawfix/bin/clawfix.js', ...args], { timeoutMs: 180_000 });
          const d = await inside(['diagnose', '--json']);
          const c = (JSON.parse(d.stdout) as DiagnoseJson).findings.find((x) => x.id === 'gateway-in-container');
          expect(c?.title).toBe('The gateway is the main process of the container clawfix runs in');
          // Named by its id (from the cgroup): podman's /run/.containerenv is empty unless privileged, the hostname is the host's.
          const shortId = st0!.id.slice(0, 12);
          expect(c?.detail).toContain(`clawfix runs inside a container (${shortId})`);
          const r = await inside(['fix', '--yes']);
          expect(r.code).toBe(1);
          expect(r.stderr).toContain(`main process of the container clawfix runs in (pid `);
          expect(r.stderr).toContain(`, container ${shortId})`);
          expect(r.stderr).toContain(`clawfix --state-dir ${gw.stateDir} fix --yes`);
          expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
          expect(await gw.hostImage()).toBe(before);
          expect((await gw.state())?.startedAt).toBe(st0?.startedAt);
          expect(await gw.serving()).toBe(true);
          assertNoSecrets([d.stdout, d.stderr, r.stdout, r.stderr], await gw.secrets());
        }));
    }

    test('a failure after the patch (verify:EIO) leaves the host files identical (bytes, mode, owner) and the container running', () =>
      step('rollback', async () => {
        const before = await gw.hostImage();
        const st0 = await gw.state();
        const r = await gw.clawfix(['fix', '--yes'], { CLAWFIX_TEST_FAULT: 'verify:EIO' });
        gw.timing('clawfix fix with injected fault + rollback', r.durationMs);
        expect(r.stderr).toMatch(/injected fault/);
        expect(r.stderr).toMatch(/rolled back/i);
        expect(r.code).toBe(1);
        expect(await gw.serving()).toBe(true);
        expect(await gw.hostImage()).toBe(before);
        expect(gw.foreignOwned()).toEqual([]);
        const st1 = await gw.state();
        if (vc.store === 'json') expect(st1?.startedAt).not.toBe(st0?.startedAt); // stopped and started the container's way
        else expect(st1?.startedAt).toBe(st0?.startedAt); // SQLite: approved in place, no restart
        expect(fs.existsSync('/home/node')).toBe(false); // nothing relaunched on the host with the container's HOME
        await refuse(gw, deviceId); // the real gateway agrees nothing was granted
        assertNoSecrets([r.stdout, r.stderr], await gw.secrets());
      }));

    test('clawfix fix --yes repairs it from the host: the same client call now gets operator.write, container running', () =>
      step('fix', async () => {
        const st0 = await gw.state();
        const dry = await gw.clawfix(['fix', '--dry-run']);
        expect(dry.code).toBe(0);
        if (vc.store === 'json') expect(dry.stdout).toContain(`podman stop -t 60 ${gw.name}`);
        else expect(dry.stdout).toMatch(new RegExp(`podman exec ${gw.name} openclaw devices approve [0-9a-f-]{36}`));
        const r = await gw.clawfix(['fix', '--yes']);
        gw.timing('clawfix fix', r.durationMs);
        expect(`${r.stdout}\n${r.stderr}`).toMatch(/Repaired: Grant operator\.write/);
        expect(r.code).toBe(0);
        expect(await gw.serving()).toBe(true);
        const st1 = await gw.state();
        expect(st1?.status).toBe('running');
        if (vc.store === 'json') expect(st1?.startedAt).not.toBe(st0?.startedAt);
        else expect(st1?.startedAt).toBe(st0?.startedAt);
        expect(await gw.approvedScopes(deviceId)).toEqual(READ_WRITE);
        expect(gw.foreignOwned()).toEqual([]);
        expect(fs.existsSync('/home/node')).toBe(false);

        const ok = await gw.client(READ_WRITE);
        expect(ok).toMatchObject({ ok: true, auth: { role: 'operator' } });
        expect([...(ok.auth?.scopes ?? [])].sort()).toEqual(READ_WRITE);
        assertNoSecrets([r.stdout, r.stderr], await gw.secrets());

        const d = await gw.clawfix(['diagnose', '--json']);
        expect((JSON.parse(d.stdout) as DiagnoseJson).findings.filter((x) => x.id === 'scope-upgrade')).toEqual([]);
      }));

    if (vc.store === 'json') {
      test('killed (-9) right after the patch, with the container stopped: the next `fix --yes` finishes the repair and starts the container', () =>
        step('crash', async () => {
          const MORE = [...READ_WRITE, 'operator.approvals'].sort();
          expect(await gw.client(MORE)).toMatchObject({ ok: false, details: { reason: 'scope-upgrade' } });
          const killed = await gw.clawfix(['fix', '--yes'], { CLAWFIX_TEST_CRASH_AT: 'after:patch' });
          expect(killed.signal).toBe('SIGKILL');
          expect((await gw.state())?.status).toBe('exited'); // stopped the container's way, then the crash
          const r = await gw.clawfix(['fix', '--yes']);
          gw.timing('clawfix fix after a crash (recovery)', r.durationMs);
          expect(r.stderr).toMatch(/recovered: the interrupted fix \S+ had written its changes completely; finishing it/);
          expect(r.stderr).toMatch(/recovered: started the gateway again/);
          expect(r.code).toBe(0);
          expect(await gw.serving()).toBe(true);
          expect(await gw.approvedScopes(deviceId)).toEqual(MORE);
          expect(gw.foreignOwned()).toEqual([]);
          expect(await gw.client(MORE)).toMatchObject({ ok: true });
        }));
    }

    test('stopped, the container is still found by its mount of the state dir; clawfix leaves it as it found it', () =>
      step('stopped', async () => {
        const stop = await podman(['stop', '-t', '30', gw.name]);
        expect(stop.code).toBe(0);
        const r = await gw.clawfix(['diagnose', '--json']);
        const c = (JSON.parse(r.stdout) as DiagnoseJson).findings.find((x) => x.id === 'gateway-in-container');
        expect(c?.title).toBe(`The gateway runs in a podman container (${gw.name}, stopped)`);
        expect(c?.detail).toContain('bind-mounts this state dir');
        expect((await gw.state())?.status).toBe('exited');
        const start = await podman(['start', gw.name]);
        expect(start.code).toBe(0);
        await gw.waitHealthy();
      }));
  });
}
