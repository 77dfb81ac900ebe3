/**
 * A gateway that is a container's main process is repaired the container's way: `podman stop -t N`,
 * the bind-mounted store patched, `podman start`, verified; OpenClaw's approval through `podman exec`.
 * Process tests against a stand-in `podman` (test/fake-runtime/podman.mjs) whose container's main
 * process is the fake gateway in its own PID namespace; the real runtime and real OpenClaw gateways are
 * `npm run test:container`.
 */
import { afterEach, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliEnv, hashTree, runCli } from './helpers/cli.js';
import { makeStateDir, type Fixture } from './helpers/fixtures.js';
import { agentCall, healthz, waitFor } from './helpers/wait.js';

const FAKE_PODMAN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fake-runtime', 'podman.mjs');
const FAST = { CLAWFIX_START_TIMEOUT_MS: '10000', CLAWFIX_STOP_TIMEOUT_MS: '8000' };
const canUnshare = spawnSync('unshare', ['--pid', '--fork', 'true']).status === 0;
if (!canUnshare) console.warn('container-repair: `unshare --pid` is not permitted here: these process tests are SKIPPED');

interface Ctr {
  f: Fixture;
  dir: string;
  env: Record<string, string>;
  calls(): string[];
  pid(): number;
  stop(): void;
}

const fixtures: Fixture[] = [];
const containers: Ctr[] = [];
afterEach(async () => {
  for (const c of containers.splice(0)) c.stop();
  await Promise.all(fixtures.splice(0).map((f) => f.cleanup()));
});

/** A fixture whose gateway runs as the main process of the stand-in podman's container `openclaw-gateway`. */
async function inContainer(version: string): Promise<Ctr> {
  const f = await makeStateDir({ version, devices: [{ scopes: ['operator.read'] }], ...(version.startsWith('2026.9') ? { pending: [{ scopes: ['operator.read', 'operator.write'] }] } : {}) });
  fixtures.push(f);
  f.fake.writeCtl({ subagentScopes: ['operator.write'] });
  const dir = path.join(f.root, 'fake-runtime');
  fs.mkdirSync(dir);
  const gwEnv = cliEnv({ fixture: f });
  fs.writeFileSync(
    path.join(dir, 'container.json'),
    JSON.stringify({ id: crypto.randomBytes(32).toString('hex'), name: 'openclaw-gateway', stateDir: f.stateDir, openclaw: path.join(f.fake.binDir, 'openclaw'), pid: 0, running: false, env: gwEnv }),
  );
  fs.writeFileSync(path.join(f.fake.binDir, 'podman'), `#!/bin/sh\nFAKE_RUNTIME_DIR='${dir}' exec '${process.execPath}' '${FAKE_PODMAN}' "$@"\n`, { mode: 0o755 });
  // CONTAINERS_STORAGE_CONF: this podman has a store of its own to ask (clawfix never makes podman create one).
  const env = { ...FAST, FAKE_RUNTIME_DIR: dir, CONTAINERS_STORAGE_CONF: path.join(dir, 'storage.conf') };
  const podman = (args: string[]) => spawnSync(path.join(f.fake.binDir, 'podman'), args, { env: { ...gwEnv, ...env }, encoding: 'utf8' });
  podman(['start', 'openclaw-gateway']);
  const read = () => JSON.parse(fs.readFileSync(path.join(dir, 'container.json'), 'utf8')) as { pid: number; running: boolean };
  const c: Ctr = {
    f,
    dir,
    env,
    calls: () => fs.readFileSync(path.join(dir, 'calls.log'), 'utf8').split('\n').filter(Boolean),
    pid: () => read().pid,
    stop: () => {
      podman(['stop', '-t', '5', 'openclaw-gateway']);
    },
  };
  containers.push(c);
  await waitFor(() => healthz(f.port), { timeoutMs: 15_000, what: 'the containerized fake gateway' });
  return c;
}

/** What clawfix asked the runtime to do (not the look-ups). */
const actions = (c: Ctr, from = 0) => c.calls().slice(from).filter((l) => /^(stop|start|exec) /.test(l));
const hostGatewayCalls = (c: Ctr) => c.f.fake.calls().filter((l) => /^gateway (stop|start|restart)/.test(l));

(canUnshare ? describe : describe.skip)('a gateway that is the main process of a podman container, repaired from the host', () => {
  test('JSON store: diagnose names the container and its mount; fix --yes stops it, patches the bind-mounted store, starts it; the sub-agent is served', async () => {
    const c = await inContainer('2026.7.35');
    const d = await runCli(['diagnose', '--json'], { fixture: c.f, env: c.env });
    const fin = (JSON.parse(d.stdout) as { findings: { id: string; title: string; detail: string }[] }).findings.find((x) => x.id === 'gateway-in-container');
    expect(fin?.title).toBe('The gateway runs in a podman container (openclaw-gateway)');
    expect(fin?.detail).toContain(`${c.f.stateDir} → /home/node/.openclaw`);
    expect(d.stdout).not.toContain('must-never-be-shown');

    const dry = await runCli(['fix', '--dry-run'], { fixture: c.f, env: c.env });
    expect(dry.stdout).toContain('$ podman stop -t 8 openclaw-gateway');
    expect(dry.stdout).toContain('$ podman start openclaw-gateway');

    const pid0 = c.pid();
    const from = c.calls().length;
    const r = await runCli(['fix', '--yes'], { fixture: c.f, env: c.env });
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
    expect(r.code).toBe(0);
    expect(actions(c, from)).toEqual(['stop -t 8 openclaw-gateway', 'start openclaw-gateway']);
    expect(hostGatewayCalls(c)).toEqual([]); // never the host's way
    expect(c.pid()).not.toBe(pid0);
    expect(c.f.readStore().paired[c.f.deviceId]!.approvedScopes).toEqual(['operator.read', 'operator.write']);
    expect(await healthz(c.f.port)).toBe(true);
    expect((await agentCall(c.f.port)).ok).toBe(true);
  });

  test('JSON store: a failure after the patch (verify:EIO) rolls back — container stopped and started again with the old store', async () => {
    const c = await inContainer('2026.7.35');
    // pending.json is left out: the fake gateway's sub-agent asks again after every start and the gateway records that request.
    const ignore = (r: string) => r === 'clawfix' || r.startsWith('clawfix/') || r === 'devices/pending.json';
    const tree = await hashTree(c.f.stateDir, { ignore });
    const from = c.calls().length;
    const r = await runCli(['fix', '--yes'], { fixture: c.f, env: { ...c.env, CLAWFIX_TEST_FAULT: 'verify:EIO' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Everything was rolled back: the store is as it was and the gateway is running/);
    expect(actions(c, from)).toEqual(['stop -t 8 openclaw-gateway', 'start openclaw-gateway', 'stop -t 8 openclaw-gateway', 'start openclaw-gateway']);
    expect(await hashTree(c.f.stateDir, { ignore })).toEqual(tree);
    expect(hostGatewayCalls(c)).toEqual([]);
    expect(await healthz(c.f.port)).toBe(true);
    expect((await agentCall(c.f.port)).ok).toBe(false);
  });

  test('JSON store: the container cannot be started again → exit 3, and the manual steps are the container’s, never `openclaw gateway …`', async () => {
    const c = await inContainer('2026.7.35');
    const file = path.join(c.dir, 'container.json');
    fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')), failStart: true }));
    const from = c.calls().length;
    const r = await runCli(['fix', '--yes'], { fixture: c.f, env: c.env });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('The rollback did not complete. To finish it by hand:');
    expect(r.stderr).toMatch(/1\. podman stop -t 8 openclaw-gateway\n {2}2\. clawfix rollback \S+ --yes .*same mode and owner\)\n {2}3\. podman start openclaw-gateway/);
    expect(r.stderr).not.toContain('openclaw gateway');
    expect(actions(c, from).filter((l) => l.startsWith('stop'))).toEqual(['stop -t 8 openclaw-gateway']);
    expect(hostGatewayCalls(c)).toEqual([]);
    // The store is as it was (the rollback restored the files; only the start is left to do).
    expect(c.f.readStore().paired[c.f.deviceId]!.approvedScopes).toEqual(['operator.read']);
  });

  test('SQLite store: OpenClaw’s own approval runs in the container (`podman exec … openclaw devices approve <id>`), no restart', async () => {
    const c = await inContainer('2026.9.6');
    const pid0 = c.pid();
    const from = c.calls().length;
    const r = await runCli(['fix', '--yes'], { fixture: c.f, env: c.env });
    expect(r.code).toBe(0);
    // The exact request the snapshot saw, approved directly (no `devices list` first), inside the container.
    expect(actions(c, from)).toEqual([expect.stringMatching(/^exec openclaw-gateway openclaw devices approve [0-9a-f-]{36}$/)]);
    expect(c.pid()).toBe(pid0);
    expect(c.f.readStore().paired[c.f.deviceId]!.approvedScopes).toEqual(['operator.read', 'operator.write']);
  });

  test('stopped: found by its mount of the state dir; fix --yes repairs the files and leaves the container stopped', async () => {
    const c = await inContainer('2026.7.35');
    c.stop();
    await waitFor(async () => !(await healthz(c.f.port)), { timeoutMs: 10_000, what: 'gateway down' });
    const d = await runCli(['diagnose', '--json'], { fixture: c.f, env: c.env });
    const fin = (JSON.parse(d.stdout) as { findings: { id: string; title: string }[] }).findings.find((x) => x.id === 'gateway-in-container');
    expect(fin?.title).toBe('The gateway runs in a podman container (openclaw-gateway, stopped)');
    const from = c.calls().length;
    const r = await runCli(['fix', '--yes'], { fixture: c.f, env: c.env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('left stopped; start it with `podman start openclaw-gateway`');
    expect(actions(c, from)).toEqual([]);
    expect(hostGatewayCalls(c)).toEqual([]);
    expect(c.f.readStore().paired[c.f.deviceId]!.approvedScopes).toEqual(['operator.read', 'operator.write']);
  });

  test('--container names it; an unknown name is a usage error (exit 2) that touches nothing', async () => {
    const c = await inContainer('2026.7.35');
    const ok = await runCli(['--container', 'openclaw-gateway', '--runtime', 'podman', 'diagnose', '--json'], { fixture: c.f, env: c.env });
    expect((JSON.parse(ok.stdout) as { findings: { id: string; detail: string }[] }).findings.find((x) => x.id === 'gateway-in-container')?.detail).toContain('--container openclaw-gateway names it (running)');
    const tree = await hashTree(c.f.stateDir);
    const bad = await runCli(['--container', 'nope', 'fix', '--yes'], { fixture: c.f, env: c.env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--container nope: podman( or docker)? knows no container of that name or id/);
    expect(bad.stderr).not.toMatch(/at .*\.js:\d+/);
    expect(await hashTree(c.f.stateDir)).toEqual(tree);
  });
});
