/**
 * Where the gateway of this state dir runs, when that is a container: from /proc (the process that
 * answers the port sits in a container's cgroup or PID namespace, or clawfix runs inside the gateway's
 * own container), from the runtime's CLI (a container, running or STOPPED, whose bind mount holds this
 * state dir), or as the user said (`--container NAME`, `--runtime docker|podman`). Read-only.
 */
import { readFileSync, readlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { classifyGateway, selfContainerMarker, type CommandRunner, type ContainerInfo } from '../openclaw/container.js';
import { defaultLogFiles } from '../openclaw/log-locations.js';
import {
  cliOnPath,
  composeOf,
  containersMounting,
  inspectContainers,
  RUNTIME_CLIS,
  stateMountOf,
  type ContainerRecord,
  type RuntimeCli,
  type RuntimeEnv,
  type StateMount,
} from '../openclaw/container-runtime.js';
import { readPlacement } from '../openclaw/process.js';
import type { OpenClawInfo } from '../types.js';
import { UsageError } from '../util/errors.js';

export interface ContainerFlags {
  container?: string;
  runtime?: RuntimeCli;
}

function fromRecord(rec: ContainerRecord, mount: StateMount | undefined, via: ContainerInfo['via'], pid?: number): ContainerInfo {
  const compose = composeOf(rec);
  return {
    relation: 'outside',
    runtime: rec.cli,
    id: rec.id,
    name: rec.name,
    via,
    pid: pid ?? (rec.running ? rec.pid : 0),
    cli: rec.cli,
    running: rec.running,
    ...(rec.running && rec.pid > 0 ? { mainPid: rec.pid } : {}),
    ...(mount ? { stateMount: mount } : {}),
    ...(compose ? { compose } : {}),
    ...(rec.upperDir ? { upperDir: rec.upperDir } : {}),
  };
}

/** A host pid whose /proc/<pid>/root is the container's root: the gateway's own, else the container's first process. */
function viewPid(c: ContainerInfo): number | undefined {
  if ((c.via === 'cgroup' || c.via === 'pid-namespace') && c.pid > 0) return c.pid;
  return c.running ? c.mainPid : undefined;
}

/**
 * Where a path of the container's filesystem is on the host: through the state dir's bind mount, the
 * container's writable layer (stable across restarts, readable while it is stopped), else its running
 * process's root. undefined when clawfix cannot see it.
 */
export function containerPathOnHost(c: ContainerInfo, p: string): string | undefined {
  if (c.relation !== 'outside') return undefined;
  const m = c.stateMount;
  if (m && (p === m.destination || p.startsWith(`${m.destination}/`))) return m.source + p.slice(m.destination.length);
  if (c.upperDir) return path.join(c.upperDir, p);
  const pid = viewPid(c);
  return pid ? `/proc/${pid}/root${p}` : undefined;
}

/**
 * A containerized gateway's log files as the host sees them: OpenClaw's own locations INSIDE the
 * container (its /tmp, as the image's `node` user, uid 1000; the state dir as the container sees it),
 * through containerPathOnHost. The host's own /tmp/openclaw belongs to other gateways. `tmpRoot`
 * (CLAWFIX_OPENCLAW_TMP_ROOT) is where the caller says that gateway's /tmp is (a sandbox, the tests).
 */
export function containerLogFiles(c: ContainerInfo, o: { configLoggingFile?: string; profile?: string; now: Date; tmpRoot?: string }): string[] {
  const { tmpRoot, ...where } = o;
  const inside = defaultLogFiles({ ...where, stateDir: c.stateMount?.containerStateDir ?? '/home/node/.openclaw', uid: 1000, tmpdir: '/tmp' });
  return inside.map((f) => (tmpRoot && f.startsWith('/tmp/') ? path.join(tmpRoot, f.slice('/tmp/'.length)) : containerPathOnHost(c, f))).filter((f): f is string => !!f);
}

/**
 * The host path of `dir` as clawfix's own mount table shows it: the `root` of the bind mount that
 * holds it plus the rest of the path (the host path when the host's root filesystem is the source).
 * Pure, on /proc/self/mountinfo text.
 */
export function hostPathFromMountinfo(mountinfo: string, dir: string): string | undefined {
  let best: { point: string; root: string } | undefined;
  for (const line of mountinfo.split('\n')) {
    const f = line.split(' ');
    const root = f[3];
    const point = f[4]?.replace(/\\040/g, ' ');
    if (!root || !point || point === '/') continue;
    if (dir !== point && !dir.startsWith(`${point}/`)) continue;
    if (!best || point.length > best.point.length) best = { point, root: root.replace(/\\040/g, ' ') };
  }
  if (!best || best.root === '/') return undefined;
  const rest = dir.slice(best.point.length);
  return `${best.root}${rest}`;
}

/** name="…" from podman's /run/.containerenv. Pure. */
export function nameFromContainerenv(text: string | undefined): string | undefined {
  return text ? /^name="([^"]+)"/m.exec(text)?.[1] : undefined;
}

function read(p: string): string | undefined {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
}

/** clawfix runs inside the gateway's container: the container's name and the state dir's host path, as far as it can tell. */
function insideHints(info: ContainerInfo, stateDir: string): ContainerInfo {
  // podman fills /run/.containerenv only for privileged containers; docker's default hostname is the short
  // id (with host networking it is the host's name, so only an id-shaped hostname counts).
  const host = os.hostname();
  const name = info.name ?? nameFromContainerenv(read('/run/.containerenv')) ?? info.id?.slice(0, 12) ?? (/^[0-9a-f]{12}$/.test(host) ? host : undefined);
  const mi = read('/proc/self/mountinfo');
  const hostDir = mi ? hostPathFromMountinfo(mi, stateDir) : undefined;
  return { ...info, ...(name ? { name } : {}), ...(hostDir ? { hostStateDir: hostDir } : {}) };
}

/** The container `ref` names (the user's --container, or the id a cgroup gave: both say a runtime is there to ask). */
async function byRef(run: CommandRunner, clis: readonly RuntimeCli[], ref: string, pathEnv: RuntimeEnv): Promise<ContainerRecord | undefined> {
  for (const cli of clis) {
    if (!cliOnPath(cli, pathEnv, { named: true })) continue;
    const [rec] = await inspectContainers(run, cli, [ref]);
    if (rec) return rec;
  }
  return undefined;
}

export async function locateContainer(o: {
  /** The pid answering the gateway port (undefined: nothing answers). */
  pid: number | undefined;
  stateDir: string;
  run: CommandRunner | undefined;
  /** PATH and what decides whether a runtime has anything to ask (see cliOnPath), from clawfix's environment. */
  pathEnv: RuntimeEnv;
  flags: ContainerFlags;
}): Promise<ContainerInfo | undefined> {
  const clis = o.flags.runtime ? [o.flags.runtime] : RUNTIME_CLIS;
  if (o.flags.container) {
    const rec = o.run ? await byRef(o.run, clis, o.flags.container, o.pathEnv) : undefined;
    if (!rec) {
      const which = o.flags.runtime ?? clis.filter((c) => cliOnPath(c, o.pathEnv, { named: true })).join(' or ');
      throw new UsageError(
        `--container ${o.flags.container}: ${which ? `${which} knows no container of that name or id` : 'neither podman nor docker is on PATH'}`,
        `list them with \`${o.flags.runtime ?? 'docker'} ps -a\`${o.flags.runtime ? '' : ', and pass --runtime podman for podman'}`,
      );
    }
    const info = fromRecord(rec, stateMountOf(rec, o.stateDir), 'flag');
    return o.pid !== undefined && rec.running ? { ...info, pid: o.pid } : info;
  }
  if (o.pid !== undefined) {
    const placed = classifyGateway({ gateway: readPlacement(o.pid), self: readPlacement('self'), init: readPlacement(1), selfMarker: selfContainerMarker() });
    if (!placed) return undefined; // an ordinary process beside clawfix
    if (placed.relation === 'inside') return insideHints(placed, o.stateDir);
    if (!o.run) return placed;
    const order = placed.runtime === 'docker' ? (['docker', 'podman'] as const) : (['podman', 'docker'] as const);
    const rec = placed.id ? await byRef(o.run, o.flags.runtime ? [o.flags.runtime] : order, placed.id, o.pathEnv) : undefined;
    if (rec) return { ...fromRecord(rec, stateMountOf(rec, o.stateDir), placed.via, placed.pid), runtime: placed.runtime === 'unknown' ? rec.cli : placed.runtime };
    // A port forwarder or a PID namespace names no container: the running one that mounts this state dir.
    const mounting = (await containersMounting(o.run, clis, o.stateDir, o.pathEnv, !!o.flags.runtime)).filter((m) => m.rec.running);
    if (mounting[0]) return { ...fromRecord(mounting[0].rec, mounting[0].mount, placed.via, placed.pid), ...(mounting.length > 1 ? { others: mounting.slice(1).map((m) => m.rec.name) } : {}) };
    return placed;
  }
  // Nothing answers the port: a stopped (or not yet listening) container may still own this state dir.
  if (!o.run) return undefined;
  const mounting = await containersMounting(o.run, clis, o.stateDir, o.pathEnv, !!o.flags.runtime);
  const first = mounting[0];
  if (!first) return undefined;
  return { ...fromRecord(first.rec, first.mount, 'mount'), ...(mounting.length > 1 ? { others: mounting.slice(1).map((m) => m.rec.name) } : {}) };
}

/**
 * The version of the OpenClaw that runs in the container, from the package.json of its install as the
 * host sees it through the running container's root (the gateway's working dir, then the usual install dirs).
 */
export function containerOpenclawVersion(c: ContainerInfo): string | undefined {
  const pid = c.relation === 'outside' ? viewPid(c) : undefined;
  if (!pid) return undefined;
  const root = `/proc/${pid}/root`;
  let cwd: string | undefined;
  try {
    cwd = readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    cwd = undefined;
  }
  const dirs = [...(cwd ? [cwd, path.posix.join(cwd, 'node_modules/openclaw')] : []), '/app', '/app/node_modules/openclaw', '/usr/local/lib/node_modules/openclaw', '/usr/lib/node_modules/openclaw'];
  for (const d of dirs) {
    const text = read(path.join(root, d, 'package.json'));
    if (!text) continue;
    try {
      const pkg = JSON.parse(text) as { name?: unknown; version?: unknown };
      if (pkg.name === 'openclaw' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      /* not a package */
    }
  }
  return undefined;
}

/**
 * A containerized gateway runs the OpenClaw of its image, whatever the host has (or lacks): its version
 * from there, and the host's own `openclaw` error dropped (it says nothing about this gateway).
 */
export function withContainerVersion(host: OpenClawInfo, c: ContainerInfo | undefined): OpenClawInfo {
  const version = c ? containerOpenclawVersion(c) : undefined;
  if (!version) return host;
  const { error: _hostError, ...rest } = host;
  return { ...rest, version, versionSource: 'package.json' };
}
