/**
 * The container runtime's answers, read: inspect JSON (docker's and podman's shape), which mount holds
 * a state dir, compose labels, the inside-a-container hints, where a containerized gateway's logs are,
 * when clawfix may drive a container, and what the guard, the planners and the detector make of it.
 * Pure specs; the stand-in runtime is test/container-repair.test.ts (test:process), the real one
 * `npm run test:container`.
 */
import { describe, expect, test } from '@jest/globals';
import { runDetectors } from '../../src/detect/index.js';
import { detectFormat, parseJsonText } from '../../src/openclaw/json-format.js';
import type { JsonInputs, RawJsonFile } from '../../src/openclaw/json-store.js';
import { drivableContainer, type ContainerInfo } from '../../src/openclaw/container.js';
import { cliOnPath, composeOf, parseInspect, stateMountOf } from '../../src/openclaw/container-runtime.js';
import { buildJsonScopePlan, buildRestartPlan, chooseTarget } from '../../src/plan/build.js';
import { containerRefusal } from '../../src/plan/container-guard.js';
import { restarts } from '../../src/plan/types.js';
import { containerLogFiles, containerPathOnHost, hostPathFromMountinfo, nameFromContainerenv } from '../../src/snapshot/container.js';
import * as L from '../helpers/logs.js';
import { LOCAL_ID, NOW, pending, snap } from '../helpers/snapshot.js';

const ID = 'ab'.repeat(32);
const inspect = (over: Record<string, unknown> = {}) =>
  JSON.stringify([
    {
      Id: ID,
      Name: '/openclaw-openclaw-gateway-1',
      State: { Status: 'running', Running: true, Pid: 4242 },
      Mounts: [
        { Type: 'bind', Source: '/home/u/.openclaw', Destination: '/home/node/.openclaw', RW: true },
        { Type: 'volume', Source: '/var/lib/docker/volumes/ws/_data', Destination: '/home/node/work', RW: false },
      ],
      Config: {
        Env: ['PATH=/usr/bin', 'HOME=/home/node', 'OPENCLAW_GATEWAY_TOKEN=s3cr3t-token-value-0123456789', 'OPENAI_API_KEY=sk-abc'],
        Labels: { 'com.docker.compose.project': 'openclaw', 'com.docker.compose.service': 'openclaw-gateway', 'com.docker.compose.project.working_dir': '/srv/oc' },
        User: 'node',
      },
      HostConfig: { Init: true },
      GraphDriver: { Name: 'overlay', Data: { UpperDir: '/var/lib/containers/storage/overlay/x/diff' } },
      ...over,
    },
  ]);

describe('inspect output', () => {
  test('docker and podman shapes parse to the same record; only path variables of the environment are kept', () => {
    const [d] = parseInspect('docker', inspect());
    expect(d).toMatchObject({ cli: 'docker', id: ID, name: 'openclaw-openclaw-gateway-1', running: true, pid: 4242, init: true, user: 'node', upperDir: '/var/lib/containers/storage/overlay/x/diff' });
    expect(d!.env).toEqual({ HOME: '/home/node' });
    expect(JSON.stringify(d)).not.toMatch(/s3cr3t|sk-abc/);
    const [p] = parseInspect('podman', inspect({ Name: 'openclaw-openclaw-gateway-1', State: { Status: 'exited', Running: false, Pid: 0 } }));
    expect(p).toMatchObject({ cli: 'podman', name: 'openclaw-openclaw-gateway-1', running: false, pid: 0 });
    expect(composeOf(p!)).toEqual({ project: 'openclaw', service: 'openclaw-gateway', workingDir: '/srv/oc' });
  });

  test('garbage, an error text or an empty list is no container', () => {
    expect(parseInspect('docker', 'Error: No such object: x')).toEqual([]);
    expect(parseInspect('docker', '[]')).toEqual([]);
    expect(parseInspect('podman', '{"Id":1}')).toEqual([]);
  });
});

describe('which mount holds the state dir', () => {
  const [rec] = parseInspect('docker', inspect());
  test('the state dir itself, bind-mounted', () => {
    expect(stateMountOf(rec!, '/home/u/.openclaw')).toEqual({ source: '/home/u/.openclaw', destination: '/home/node/.openclaw', containerStateDir: '/home/node/.openclaw', rw: true });
  });
  test('a dir above it mounted (the whole home): the state dir as the container sees it', () => {
    const [home] = parseInspect('docker', inspect({ Mounts: [{ Type: 'bind', Source: '/home/u', Destination: '/home/node', RW: true }] }));
    expect(stateMountOf(home!, '/home/u/.openclaw')).toMatchObject({ source: '/home/u', containerStateDir: '/home/node/.openclaw' });
  });
  test('another dir, or a sibling whose name only starts the same, is not it', () => {
    expect(stateMountOf(rec!, '/home/u/.openclaw-work')).toBeUndefined();
    expect(stateMountOf(rec!, '/srv/other')).toBeUndefined();
  });
});

describe('inside the gateway’s container', () => {
  const MI = [
    '1204 1100 0:160 / / rw,relatime master:1 - overlay overlay rw,lowerdir=/var/lib/x',
    '1210 1204 254:0 /home/u/.openclaw /home/node/.openclaw rw,relatime - ext4 /dev/vda rw',
    '1211 1204 254:0 /srv/my\\040dir /data rw,relatime - ext4 /dev/vda rw',
  ].join('\n');
  test('the host path of the state dir comes from the bind mount’s root in /proc/self/mountinfo', () => {
    expect(hostPathFromMountinfo(MI, '/home/node/.openclaw')).toBe('/home/u/.openclaw');
    expect(hostPathFromMountinfo(MI, '/data/oc')).toBe('/srv/my dir/oc');
    expect(hostPathFromMountinfo(MI, '/home/node/other')).toBeUndefined(); // only in the container's own root
  });
  test('podman names the container in /run/.containerenv', () => {
    expect(nameFromContainerenv('engine="podman-4.3.1"\nname="openclaw-gateway"\nid="abc"\n')).toBe('openclaw-gateway');
    expect(nameFromContainerenv(undefined)).toBeUndefined();
  });
});

describe('when clawfix drives the container itself', () => {
  const base: ContainerInfo = {
    relation: 'outside',
    runtime: 'podman',
    id: ID,
    name: 'gw',
    via: 'cgroup',
    pid: 7,
    cli: 'podman',
    running: true,
    stateMount: { source: '/s', destination: '/home/node/.openclaw', containerStateDir: '/home/node/.openclaw', rw: true },
  };
  test('seen from the host, known to a runtime CLI, its writable bind mount holds this state dir', () => {
    expect(drivableContainer(base)).toEqual({ cli: 'podman', ref: 'gw' });
  });
  test.each<[string, Partial<ContainerInfo>]>([
    ['from inside the container', { relation: 'inside' }],
    ['no runtime CLI answered', { cli: undefined }],
    ['it does not mount this state dir', { stateMount: undefined }],
    ['the mount is read-only', { stateMount: { ...base.stateMount!, rw: false } }],
  ])('never %s', (_why, over) => {
    expect(drivableContainer({ ...base, ...over } as ContainerInfo)).toBeUndefined();
  });
});

describe('which runtime CLIs are asked (without spawning them)', () => {
  const on = (...files: string[]) => (p: string) => files.includes(p);
  const PATH = '/bin';
  test('a CLI not on PATH is never asked; one the user named (--runtime, --container) only needs to be on PATH', () => {
    expect(cliOnPath('docker', { PATH }, { exists: on() })).toBe(false);
    expect(cliOnPath('docker', { PATH }, { exists: on('/bin/docker'), named: true })).toBe(true);
    expect(cliOnPath('podman', { PATH }, { exists: on('/bin/podman'), named: true, uid: 1000 })).toBe(true);
  });
  test('docker only with a daemon to ask: DOCKER_HOST / DOCKER_CONTEXT, the usual sockets, a configured context', () => {
    const exists = (more: string[]) => on('/bin/docker', ...more);
    expect(cliOnPath('docker', { PATH }, { exists: exists([]) })).toBe(false);
    expect(cliOnPath('docker', { PATH, DOCKER_HOST: 'unix:///run/podman/podman.sock' }, { exists: exists([]) })).toBe(true);
    expect(cliOnPath('docker', { PATH }, { exists: exists(['/var/run/docker.sock']) })).toBe(true);
    expect(cliOnPath('docker', { PATH, XDG_RUNTIME_DIR: '/run/user/1000' }, { exists: exists(['/run/user/1000/docker.sock']) })).toBe(true);
    expect(cliOnPath('docker', { PATH, HOME: '/h' }, { exists: exists(['/h/.docker/contexts/meta']) })).toBe(true);
  });
  test('podman only with a store of this user’s: a read-only look never makes it create one (root: /var/lib/containers; others: a rootless store and its pause process)', () => {
    const exists = (more: string[]) => on('/bin/podman', ...more);
    const none = () => undefined;
    expect(cliOnPath('podman', { PATH }, { uid: 0, exists: exists([]), readText: none })).toBe(false);
    expect(cliOnPath('podman', { PATH }, { uid: 0, exists: exists(['/var/lib/containers/storage']), readText: none })).toBe(true);
    const conf = () => '[storage]\ndriver = "overlay"\ngraphroot = "/srv/containers"\n';
    expect(cliOnPath('podman', { PATH }, { uid: 0, exists: exists(['/var/lib/containers/storage']), readText: conf })).toBe(false);
    expect(cliOnPath('podman', { PATH }, { uid: 0, exists: exists(['/srv/containers']), readText: conf })).toBe(true);
    expect(cliOnPath('podman', { PATH, HOME: '/h' }, { uid: 1000, exists: exists([]) })).toBe(false);
    expect(cliOnPath('podman', { PATH, HOME: '/h' }, { uid: 1000, exists: exists(['/h/.local/share/containers/storage']) })).toBe(true);
    expect(cliOnPath('podman', { PATH, CONTAINERS_STORAGE_CONF: '/etc/my-storage.conf' }, { uid: 1000, exists: exists([]) })).toBe(true);
  });
});

const DRIVABLE: ContainerInfo = {
  relation: 'outside',
  runtime: 'podman',
  id: ID,
  name: 'openclaw-gateway',
  via: 'cgroup',
  pid: 4242,
  cli: 'podman',
  running: true,
  mainPid: 4240,
  stateMount: { source: '/home/u/.openclaw', destination: '/home/node/.openclaw', containerStateDir: '/home/node/.openclaw', rw: true },
  upperDir: '/var/lib/containers/storage/overlay/x/diff',
};

describe('a containerized gateway’s logs, as the host sees them', () => {
  const now = new Date(2026, 10, 24, 12);
  test('OpenClaw’s own places inside the container: the state dir through its mount, /tmp through the writable layer; never the host’s /tmp/openclaw', () => {
    const files = containerLogFiles(DRIVABLE, { configLoggingFile: '/home/node/.openclaw/logs/gw.log', now });
    expect(files[0]).toBe('/home/u/.openclaw/logs/gw.log');
    expect(files).toContain('/var/lib/containers/storage/overlay/x/diff/tmp/openclaw/openclaw-2026-11-24.log');
    expect(files).toContain('/var/lib/containers/storage/overlay/x/diff/tmp/openclaw-1000/openclaw-2026-11-24.log');
    expect(files).toContain('/home/u/.openclaw/logs/gateway.log');
    expect(files.filter((f) => f.startsWith('/tmp/'))).toEqual([]);
  });
  test('no writable layer: through the running gateway’s root; stopped and no layer: only what the mount shows', () => {
    const { upperDir: _u, ...noLayer } = DRIVABLE;
    expect(containerPathOnHost(noLayer, '/tmp/openclaw/x.log')).toBe('/proc/4242/root/tmp/openclaw/x.log');
    // a port forwarder's pid is a host process: the container's first process is the view into it
    expect(containerPathOnHost({ ...noLayer, via: 'port-proxy', pid: 99 }, '/tmp/openclaw/x.log')).toBe('/proc/4240/root/tmp/openclaw/x.log');
    expect(containerPathOnHost({ ...noLayer, running: false, pid: 0 }, '/tmp/openclaw/x.log')).toBeUndefined();
    expect(containerPathOnHost({ ...noLayer, running: false, pid: 0 }, '/home/node/.openclaw/logs/gateway.log')).toBe('/home/u/.openclaw/logs/gateway.log');
  });
  test('CLAWFIX_OPENCLAW_TMP_ROOT (tmpRoot) says where that gateway’s /tmp is: used as given', () => {
    const files = containerLogFiles(DRIVABLE, { now, tmpRoot: '/sandbox/tmp' });
    expect(files).toContain('/sandbox/tmp/openclaw/openclaw-2026-11-24.log');
    expect(files.filter((f) => f.includes('/diff/tmp/'))).toEqual([]);
  });
});

describe('guard, planners and detector with a container clawfix drives', () => {
  const READ = 'operator.read';
  const WRITE = 'operator.write';
  const podman = { stop: 'podman stop -t 30 openclaw-gateway', start: 'podman start openclaw-gateway', approve: (id: string) => `podman exec openclaw-gateway openclaw devices approve ${id}` };
  const refused = (container: ContainerInfo, running = true) =>
    snap({
      patch: { gateway: { port: 18789, running, probe: running ? 'healthz' : 'none', container } },
      pending: [pending({ scopes: [READ, WRITE], ts: NOW - 1000 })],
      lines: [L.auditScopeUpgrade({ deviceId: LOCAL_ID, from: [READ], to: [READ, WRITE], time: NOW - 1000 })],
    });

  test('a restart of a drivable container is not refused; an undrivable one is, saying why', () => {
    const s = refused(DRIVABLE);
    const plan = buildRestartPlan(s, 'id', { kind: 'restart', requested: [], approved: [], grant: [], withheld: [] }, podman);
    expect(plan.commands).toEqual([podman.stop, podman.start]);
    expect(containerRefusal(s, 'restart', restarts(plan))).toBeUndefined();
    const ro = refused({ ...DRIVABLE, stateMount: { ...DRIVABLE.stateMount!, rw: false } });
    expect(containerRefusal(ro, 'repair', true)?.message).toMatch(/cannot stop and start it here \(the container mounts \S+ read-only\)/);
  });

  test('from inside the container: always refused, with the host command on the state dir’s host path', () => {
    const s = refused({ relation: 'inside', runtime: 'podman', id: ID, name: 'gw', via: 'main-process', pid: 1, hostStateDir: '/home/u/.openclaw' });
    const e = containerRefusal(s, 'repair', true);
    expect(e?.message).toMatch(/main process of the container clawfix runs in \(pid 1, container gw\)/);
    expect(e?.hint).toContain('`clawfix --state-dir /home/u/.openclaw fix --yes`');
  });

  test('a stopped container: the JSON plan leaves it stopped and names the container’s start, never `openclaw gateway start`', () => {
    const s = refused({ ...DRIVABLE, via: 'mount', pid: 0, running: false }, false);
    const t = chooseTarget(s, runDetectors(s), { allowAdmin: false })!;
    const plan = buildJsonScopePlan(s, 'id', t, inputsFor(), podman);
    expect(plan.notes).toContain('the gateway is not running: it is left stopped; start it with `podman start openclaw-gateway`');
  });

  test('the finding names the container, its mount, and how clawfix drives it', () => {
    const f = runDetectors(refused(DRIVABLE)).find((x) => x.id === 'gateway-in-container');
    expect(f).toMatchObject({ title: 'The gateway runs in a podman container (openclaw-gateway)', suggestedFix: { kind: 'clawfix' } });
    expect(f?.detail).toContain('bind-mounted (/home/u/.openclaw → /home/node/.openclaw)');
    expect(f?.detail).toContain('`podman stop -t N openclaw-gateway`');
    const stopped = runDetectors(refused({ ...DRIVABLE, via: 'mount', pid: 0, running: false }, false)).find((x) => x.id === 'gateway-in-container');
    expect(stopped?.title).toBe('The gateway runs in a podman container (openclaw-gateway, stopped)');
    expect(stopped?.detail).toContain('container openclaw-gateway (stopped) bind-mounts this state dir');
  });
});

function inputsFor(): JsonInputs {
  const READ = 'operator.read';
  const rec = { deviceId: LOCAL_ID, publicKey: 'pk', role: 'operator', roles: ['operator'], scopes: [READ], approvedScopes: [READ], tokens: { operator: { token: 'sekrit-abcdefghijklmnop', role: 'operator', scopes: [READ] } } };
  const raw = (p: string, value: unknown): RawJsonFile => {
    const text = JSON.stringify(value, null, 2);
    return { path: p, exists: true, text, value: parseJsonText(text), format: detectFormat(text), mode: 0o600 };
  };
  return {
    paired: raw('/s/devices/paired.json', { [LOCAL_ID]: rec }),
    pending: raw('/s/devices/pending.json', { 'req-1': { requestId: 'req-1', deviceId: LOCAL_ID, scopes: [READ, 'operator.write'] } }),
    deviceAuth: raw('/s/identity/device-auth.json', { version: 1, deviceId: LOCAL_ID, tokens: { operator: { token: 'sekrit-abcdefghijklmnop', role: 'operator', scopes: [READ] } } }),
  };
}
