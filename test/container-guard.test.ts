/**
 * A gateway in a container is never stopped and relaunched the host's way. Until clawfix drives the
 * container runtime itself, a repair that needs a restart is refused with the container's own steps.
 *
 * Classification specs run in-process on /proc-shaped inputs. The process tests run the fake gateway
 * as the main process of a new PID namespace (`unshare --pid`: what a container's main process is), and
 * in a docker-style cgroup (`/docker/<id>` in the cgroup v1 pids hierarchy, where docker's cgroupfs
 * driver puts containers), then drive the built CLI against it.
 */
import { afterEach, describe, expect, test } from '@jest/globals';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { classifyGateway, containerFromCgroup } from '../src/openclaw/container.js';
import { cliEnv, hashTree, runCli } from './helpers/cli.js';
import { makeStateDir, type Fixture } from './helpers/fixtures.js';
import { agentCall, healthz, waitFor } from './helpers/wait.js';

const ID = 'c0ffee'.padEnd(64, '7');
const HOST_NS = 'pid:[4026531836]';

describe('classifying the process that answers the gateway port', () => {
  const self = { pid: 500, cgroup: '0::/user.slice/user-1000.slice/session-2.scope\n', pidNs: HOST_NS };
  test.each([
    ['docker, cgroup v1 (cgroupfs driver)', `12:pids:/docker/${ID}\n11:memory:/docker/${ID}\n`, 'docker'],
    ['docker, cgroup v2 (systemd driver)', `0::/system.slice/docker-${ID}.scope\n`, 'docker'],
    ['podman rootful', `0::/machine.slice/libpod-${ID}.scope/container\n`, 'podman'],
    ['podman rootless', `0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${ID}.scope\n`, 'podman'],
    ['containerd (kubernetes)', `0::/kubepods.slice/kubepods-besteffort.slice/cri-containerd-${ID}.scope\n`, 'containerd'],
  ])('%s names the runtime and the container id', (_name, cgroup, runtime) => {
    expect(containerFromCgroup(cgroup)).toEqual({ runtime, id: ID });
    expect(classifyGateway({ gateway: { pid: 4242, cgroup, pidNs: HOST_NS }, self, selfMarker: false })).toEqual({
      relation: 'outside',
      runtime,
      id: ID,
      via: 'cgroup',
      pid: 4242,
    });
  });

  test('a runtime port forwarder on the port means a published container port', () => {
    expect(classifyGateway({ gateway: { pid: 77, comm: 'docker-proxy' }, self, selfMarker: false })).toMatchObject({ relation: 'outside', runtime: 'docker', via: 'port-proxy' });
    expect(classifyGateway({ gateway: { pid: 78, comm: 'rootlessport' }, self, selfMarker: false })).toMatchObject({ runtime: 'podman', via: 'port-proxy' });
  });

  test('another PID namespace without a runtime cgroup is still a container; podman says so in its environment', () => {
    expect(classifyGateway({ gateway: { pid: 9, pidNs: 'pid:[4026532178]', containerEnv: 'podman' }, self, selfMarker: false })).toEqual({
      relation: 'outside',
      runtime: 'podman',
      via: 'pid-namespace',
      pid: 9,
    });
  });

  test('an ordinary process beside clawfix, or one in the same container, is not', () => {
    expect(classifyGateway({ gateway: { pid: 4242, cgroup: self.cgroup, pidNs: HOST_NS, ppid: 1 }, self, init: { pid: 1, comm: 'systemd' }, selfMarker: false })).toBeUndefined();
    const inCtr = { pid: 30, cgroup: `0::/system.slice/docker-${ID}.scope\n`, pidNs: 'pid:[4026532200]' };
    expect(classifyGateway({ gateway: { ...inCtr, pid: 31, ppid: 30 }, self: inCtr, init: { pid: 1, comm: 'bash' }, selfMarker: true })).toBeUndefined();
    // A sandbox whose pid 1 is not an init: detached processes are reparented to it, and are not its main process.
    expect(classifyGateway({ gateway: { pid: 4242, pidNs: HOST_NS, ppid: 1 }, self: { pid: 5, pidNs: HOST_NS }, init: { pid: 1, comm: 'process_api' }, selfMarker: true })).toBeUndefined();
  });

  test('inside a container, a gateway that is pid 1 or the child of its init is the container’s main process', () => {
    const me = { pid: 40, cgroup: `12:pids:/docker/${ID}\n`, pidNs: 'pid:[4026532200]' };
    expect(classifyGateway({ gateway: { pid: 1, pidNs: me.pidNs, cgroup: me.cgroup }, self: me, selfMarker: true })).toEqual({
      relation: 'inside',
      runtime: 'docker',
      id: ID,
      via: 'main-process',
      pid: 1,
    });
    expect(classifyGateway({ gateway: { pid: 7, ppid: 1, pidNs: me.pidNs, cgroup: me.cgroup }, self: me, init: { pid: 1, comm: 'tini' }, selfMarker: true })).toMatchObject({
      relation: 'inside',
      pid: 7,
    });
  });
});

// ---- against real processes ------------------------------------------------------------------------

const fixtures: Fixture[] = [];
const children: ChildProcess[] = [];
const cgroupDirs: string[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) {
    try {
      process.kill(-c.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  await Promise.all(fixtures.splice(0).map((f) => f.cleanup()));
  for (const d of cgroupDirs.splice(0)) {
    try {
      fs.rmdirSync(d);
    } catch {
      /* still busy for a moment after the kill; the next run leaves it be */
    }
  }
});

const canUnshare = spawnSync('unshare', ['--pid', '--fork', 'true']).status === 0;
const CGROUP_ROOT = '/sys/fs/cgroup/pids';
const canCgroup = (() => {
  const probe = path.join(CGROUP_ROOT, 'docker', `clawfix-probe-${process.pid}`);
  try {
    fs.mkdirSync(probe, { recursive: true });
    fs.rmdirSync(probe);
    return true;
  } catch {
    return false;
  }
})();
if (!canUnshare) console.warn('container-guard: `unshare --pid` is not permitted here: the PID-namespace process tests are SKIPPED');
if (!canCgroup) console.warn(`container-guard: ${CGROUP_ROOT} is not writable here: the docker-cgroup process test is SKIPPED`);

/** The fake gateway as the main process of a new PID namespace, refusing the sub-agent's operator.write. */
async function containerized(o: { version?: string; cgroupId?: string } = {}): Promise<{ f: Fixture; hostPid: number }> {
  const f = await makeStateDir({ version: o.version ?? '2026.7.35', devices: [{ scopes: ['operator.read'] }] });
  fixtures.push(f);
  f.fake.writeCtl({ subagentScopes: ['operator.write'] });
  const child = spawn('unshare', ['--pid', '--fork', '--kill-child', path.join(f.fake.binDir, 'openclaw'), 'gateway', 'run'], {
    env: cliEnv({ fixture: f }),
    detached: true,
    stdio: 'ignore',
  });
  children.push(child);
  await waitFor(() => healthz(f.port), { timeoutMs: 10_000, what: 'containerized fake gateway up' });
  // The namespaced process, as the host sees it: unshare's child.
  const hostPid = await waitFor(
    () => {
      const kids = fs.readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
      return kids[0];
    },
    { timeoutMs: 5_000, what: 'the namespaced gateway pid' },
  );
  if (o.cgroupId) {
    const dir = path.join(CGROUP_ROOT, 'docker', o.cgroupId);
    fs.mkdirSync(dir, { recursive: true });
    cgroupDirs.push(dir);
    fs.writeFileSync(path.join(dir, 'cgroup.procs'), String(hostPid));
  }
  return { f, hostPid };
}

const FAST = { CLAWFIX_START_TIMEOUT_MS: '8000', CLAWFIX_STOP_TIMEOUT_MS: '8000' };

(canUnshare ? describe : describe.skip)('a gateway that is a container’s main process (PID namespace)', () => {
  test('diagnose names it; fix --yes refuses with the container’s steps and touches nothing; the gateway keeps serving', async () => {
    const { f, hostPid } = await containerized();
    const d = await runCli(['diagnose', '--json'], { fixture: f });
    const out = JSON.parse(d.stdout) as { findings: { id: string; severity: string; detail: string }[] };
    const c = out.findings.find((x) => x.id === 'gateway-in-container');
    expect(c).toMatchObject({ severity: 'info' });
    expect(c!.detail).toContain(`pid ${hostPid}`);
    expect(out.findings.map((x) => x.id)).toContain('scope-upgrade');

    const tree = await hashTree(f.stateDir);
    const calls = f.fake.calls().length;
    for (const args of [['fix', '--yes'], ['fix', '--dry-run']]) {
      const r = await runCli(args, { fixture: f, env: FAST });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/runs in a container .*pid \d+ on this host.*nothing was changed/);
      expect(r.stderr).toMatch(/stop -t 30 .*clawfix fix --yes.* start /);
      expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
    }
    expect(await hashTree(f.stateDir)).toEqual(tree);
    expect(f.fake.calls().slice(calls).filter((c) => c.startsWith('gateway'))).toEqual([]);
    expect(fs.readFileSync(`/proc/${hostPid}/stat`, 'utf8')).toBeTruthy(); // the same process, still there
    expect(await healthz(f.port)).toBe(true);
    expect((await agentCall(f.port)).ok).toBe(false); // nothing was granted
  });

  test('--json carries the refusal; edit-config refuses before the editor opens', async () => {
    const { f } = await containerized();
    const r = await runCli(['fix', '--yes', '--json'], { fixture: f, env: FAST });
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout) as { ok: boolean; error: { message: string; hint: string }; exitCode: number };
    expect(j).toMatchObject({ ok: false, exitCode: 1 });
    expect(j.error.message).toMatch(/runs in a container/);
    expect(j.error.hint).toMatch(/stop -t 30/);

    const marker = path.join(f.root, 'editor-ran');
    const e = await runCli(['edit-config', '--editor', `touch ${marker}; true`], { fixture: f, env: FAST });
    expect(e.code).toBe(1);
    expect(e.stderr).toMatch(/runs in a container/);
    expect(fs.existsSync(marker)).toBe(false);
    expect(await healthz(f.port)).toBe(true);
  });

  test('with the container stopped, the advised `clawfix fix --yes` repairs the bind-mounted store', async () => {
    const { f } = await containerized();
    for (const c of children.splice(0)) process.kill(-c.pid!, 'SIGKILL');
    await waitFor(async () => !(await healthz(f.port)), { timeoutMs: 10_000, what: 'containerized gateway down' });
    const calls = f.fake.calls().length;
    const r = await runCli(['fix', '--yes'], { fixture: f, env: FAST });
    expect(r.code).toBe(0);
    expect(f.readStore().paired[f.deviceId]!.approvedScopes).toEqual(['operator.read', 'operator.write']);
    expect(f.fake.calls().slice(calls).filter((c) => c.startsWith('gateway'))).toEqual([]); // left stopped, as found
  });
});

(canUnshare && canCgroup ? describe : describe.skip)('a gateway in a docker cgroup', () => {
  test('the container is named through the runtime CLI and the refusal uses its name', async () => {
    const id = crypto.randomBytes(32).toString('hex');
    const { f } = await containerized({ cgroupId: id });
    // A `docker` CLI the test owns: answers `inspect --type container <id>` like docker does, for a
    // container that mounts some other dir (not this state dir), so clawfix cannot drive it.
    const inspect = JSON.stringify([{ Id: id, Name: '/openclaw-gateway-1', State: { Status: 'running', Running: true, Pid: 4242 }, Mounts: [{ Type: 'volume', Source: '/var/lib/docker/volumes/oc/_data', Destination: '/home/node/.openclaw', RW: true }] }]);
    fs.writeFileSync(
      path.join(f.fake.binDir, 'docker'),
      `#!/bin/sh\n[ "$1" = inspect ] && [ "$4" = "${id}" ] && { echo '${inspect}'; exit 0; }\necho "Error: No such object: $4" >&2; exit 1\n`,
      { mode: 0o755 },
    );
    const d = await runCli(['diagnose', '--json'], { fixture: f });
    const c = (JSON.parse(d.stdout) as { findings: { id: string; title: string }[] }).findings.find((x) => x.id === 'gateway-in-container');
    expect(c?.title).toBe('The gateway runs in a docker container (openclaw-gateway-1)');
    const r = await runCli(['fix', '--yes'], { fixture: f, env: FAST });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('docker container (openclaw-gateway-1');
    expect(r.stderr).toContain('docker stop -t 30 openclaw-gateway-1');
    expect(r.stderr).toContain(`the container does not mount ${f.stateDir}`);
    expect(await healthz(f.port)).toBe(true);
  });
});
