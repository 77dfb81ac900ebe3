/**
 * A gateway container managed by docker-compose (Debian's v1, through podman's Docker API), repaired
 * from the host with the DOCKER CLI (`--runtime docker`): `docker stop -t N` (SIGTERM; without -t the
 * docker CLI through podman sends SIGKILL at once), the state patched on the host, `docker start`.
 * 2026.7.35 (the JSON store: the repair needs the restart).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { assertNoSecrets } from '../helpers/cli.js';
import { ComposeGateway, unavailable, type ContainerCase } from './harness.js';
import { podman } from './runtime.mjs';
import { startService, stopService } from './service.mjs';

const VC: ContainerCase = { version: '2026.7.35', store: 'json', client: { id: 'gateway-client', mode: 'backend' }, config: {} };
const CLI = { id: 'cli', mode: 'cli' };
const READ = ['operator.read'];
const READ_WRITE = ['operator.read', 'operator.write'];

const why = unavailable(VC.version);
const tool = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: 'utf8' }).status === 0;

if (why) {
  describe('docker-compose', () => {
    test.skip(`SKIPPED — ${why}`, () => {});
  });
} else {
  describe('openclaw@2026.7.35 in a docker-compose service (podman API), repaired with the docker CLI', () => {
    let gw: ComposeGateway;
    let deviceId = '';
    const root = process.env.CLAWFIX_E2E_RUN_ROOT!;
    beforeAll(async () => {
      // Missing tools are a failure, not a skip: .ci/run installs them.
      expect({ dockerCompose: tool('docker-compose', ['version']), docker: tool('docker', ['--version']) }).toEqual({ dockerCompose: true, docker: true });
      const svc = await startService(root);
      gw = new ComposeGateway(VC, svc.DOCKER_HOST);
      await gw.setup();
      await gw.explain('docker-compose up', async () => gw.timing('gateway cold start (docker-compose up)', await gw.start()));
    }, 360_000);
    afterAll(async () => {
      await gw?.cleanup();
      await stopService(root);
    }, 120_000);

    test('refused, diagnosed as the compose service, repaired by `clawfix --runtime docker fix --yes`, container running', () =>
      gw.explain('compose repair', async () => {
        const paired = await gw.client(READ, CLI);
        expect(paired).toMatchObject({ ok: true });
        deviceId = paired.deviceId;
        const refused = await gw.client(READ_WRITE);
        expect(refused).toMatchObject({ ok: false, details: { reason: 'scope-upgrade' } });

        const d = await gw.clawfix(['--runtime', 'docker', 'diagnose', '--json']);
        const c = (JSON.parse(d.stdout) as { findings: { id: string; title: string; detail: string }[] }).findings.find((x) => x.id === 'gateway-in-container');
        expect(c?.title).toBe(`The gateway runs in a podman container (${gw.name})`);
        expect(c?.detail).toContain(`compose project ${gw.project}, service openclaw-gateway`);
        expect(c?.detail).toContain(`docker stop -t N ${gw.name}`);

        const st0 = await gw.state();
        const r = await gw.clawfix(['--runtime', 'docker', 'fix', '--yes']);
        gw.timing('clawfix --runtime docker fix', r.durationMs);
        expect(`${r.stdout}\n${r.stderr}`).toMatch(/Repaired: Grant operator\.write/);
        expect(r.code).toBe(0);
        const st1 = await gw.state();
        expect(st1?.status).toBe('running');
        expect(st1?.startedAt).not.toBe(st0?.startedAt);
        // The stopped run ended on SIGTERM, cleanly (its console, kept across the restart) — not a SIGKILL.
        const logs = await podman(['logs', gw.name]);
        expect(`${logs.stdout}${logs.stderr}`.replace(/\x1b\[[0-9;]*m/g, '')).toMatch(/signal SIGTERM received[\s\S]*\[shutdown\] completed cleanly/);
        expect(await gw.serving()).toBe(true);
        expect(await gw.approvedScopes(deviceId)).toEqual(READ_WRITE);
        expect(gw.foreignOwned()).toEqual([]);
        expect(fs.existsSync('/home/node')).toBe(false);
        const ok = await gw.client(READ_WRITE);
        expect(ok).toMatchObject({ ok: true });
        expect([...(ok.auth?.scopes ?? [])].sort()).toEqual(READ_WRITE);
        assertNoSecrets([r.stdout, r.stderr, d.stdout], await gw.secrets());
        // compose still manages it
        const ps = await gw.compose(['ps', '-q']);
        expect(ps.stdout.trim()).not.toBe('');
      }));
  });
}
