/**
 * Is the gateway in a container? A gateway that is a container's main process must be stopped and
 * started the container's way: SIGTERM to its pid stops the container, and `openclaw gateway run` on
 * the host would start a second gateway outside it. Recognised from /proc, seen from where clawfix runs:
 * - outside: the process answering the port sits in another container's cgroup (docker, libpod,
 *   containerd, kubepods, lxc) or another PID namespace, or it is a runtime's port forwarder
 *   (docker-proxy, rootlessport, pasta, slirp4netns, conmon);
 * - inside: clawfix itself runs in a container whose main process (pid 1, or the child of its init)
 *   is the gateway.
 * The classification is pure; the runtime's CLI (container-runtime.ts) adds the container's name, state and mounts.
 */
import { existsSync } from 'node:fs';
import type { ContainerInfo, ContainerRuntime } from '../types.js';
import type { ProcessPlacement } from './process.js';

export type { ContainerInfo, ContainerRuntime } from '../types.js';

const PORT_PROXIES: Record<string, ContainerRuntime> = {
  'docker-proxy': 'docker',
  rootlessport: 'podman',
  'rootlessport-ch': 'podman', // comm is cut at 15 characters
  'rootlessport-child': 'podman',
  slirp4netns: 'podman',
  pasta: 'podman',
  'pasta.avx2': 'podman',
  conmon: 'podman',
  gvproxy: 'podman',
};

const CGROUP_RULES: { re: RegExp; runtime: ContainerRuntime }[] = [
  { re: /libpod[-_/](?:conmon-)?([0-9a-f]{12,64})/, runtime: 'podman' },
  { re: /docker[-/]([0-9a-f]{12,64})/, runtime: 'docker' },
  { re: /cri-containerd-([0-9a-f]{12,64})/, runtime: 'containerd' },
  { re: /crio-([0-9a-f]{12,64})/, runtime: 'kubernetes' },
  { re: /kubepods[^\n]*?([0-9a-f]{64})/, runtime: 'kubernetes' },
  { re: /\/containerd\/([0-9a-f]{12,64})/, runtime: 'containerd' },
  { re: /\/lxc(?:\.payload)?[./]([^/\n]+)/, runtime: 'lxc' },
];

/** The container a cgroup file places a process in (runtime and id), if it names one. */
export function containerFromCgroup(cgroup: string | undefined): { runtime: ContainerRuntime; id: string } | undefined {
  if (!cgroup) return undefined;
  for (const r of CGROUP_RULES) {
    const m = r.re.exec(cgroup);
    if (m) return { runtime: r.runtime, id: m[1]! };
  }
  return undefined;
}

function runtimeFromEnv(v: string | undefined): ContainerRuntime {
  return v === 'podman' ? 'podman' : v === 'docker' ? 'docker' : v === 'lxc' ? 'lxc' : 'unknown';
}

// podman --init bind-mounts catatonit as /run/podman-init: its comm is podman-init (seen on podman 4.3).
const INITS = new Set(['tini', 'docker-init', 'podman-init', 'catatonit', 'dumb-init', 'init']);

export interface Placements {
  /** The process that answers the gateway port. */
  gateway: ProcessPlacement;
  /** clawfix itself. */
  self: ProcessPlacement;
  /** pid 1 of clawfix's PID namespace. */
  init?: ProcessPlacement;
  /** Whether clawfix's own root has a container marker (/.dockerenv, /run/.containerenv). */
  selfMarker: boolean;
}

/** Pure: where the gateway runs relative to clawfix. undefined: an ordinary process beside clawfix. */
export function classifyGateway(p: Placements): ContainerInfo | undefined {
  const g = p.gateway;
  const proxy = g.comm ? PORT_PROXIES[g.comm] : undefined;
  if (proxy) return { relation: 'outside', runtime: proxy, via: 'port-proxy', pid: g.pid };
  const mine = containerFromCgroup(p.self.cgroup);
  const theirs = containerFromCgroup(g.cgroup);
  if (theirs && theirs.id !== mine?.id) return { relation: 'outside', runtime: theirs.runtime, id: theirs.id, via: 'cgroup', pid: g.pid };
  if (g.pidNs && p.self.pidNs && g.pidNs !== p.self.pidNs) {
    return { relation: 'outside', runtime: runtimeFromEnv(g.containerEnv), via: 'pid-namespace', pid: g.pid };
  }
  const selfContained = !!mine || p.selfMarker || !!p.self.containerEnv;
  const initIsInit = !!p.init?.comm && INITS.has(p.init.comm);
  if (selfContained && (g.pid === 1 || (g.ppid === 1 && initIsInit))) {
    return {
      relation: 'inside',
      runtime: mine?.runtime ?? runtimeFromEnv(p.self.containerEnv),
      ...(mine ? { id: mine.id } : {}),
      via: 'main-process',
      pid: g.pid,
    };
  }
  return undefined;
}

export function selfContainerMarker(): boolean {
  return existsSync('/.dockerenv') || existsSync('/run/.containerenv');
}

export type CommandRunner = (cmd: string, args: string[]) => Promise<{ exitCode: number; stdout: string }>;

/**
 * How clawfix can stop and start a containerized gateway itself: the runtime CLI that knows the
 * container and the container's name, when the container is seen from the host, a docker or podman
 * CLI here knows it, and its writable bind mount holds this state dir. undefined: clawfix cannot.
 */
export function drivableContainer(c: ContainerInfo | undefined): { cli: 'docker' | 'podman'; ref: string } | undefined {
  if (!c || c.relation !== 'outside' || !c.cli) return undefined;
  const ref = c.name ?? c.id;
  if (!ref || !c.stateMount?.rw) return undefined;
  return { cli: c.cli, ref };
}

/** Why clawfix cannot drive this (outside) container itself, in words for a refusal. */
export function undrivableReason(c: ContainerInfo, stateDir: string): string {
  if (c.runtime !== 'docker' && c.runtime !== 'podman' && c.runtime !== 'unknown') return `clawfix drives docker and podman containers, and this one is ${c.runtime}'s`;
  if (!c.cli) return `no docker or podman CLI here knows the container (is the runtime's CLI on PATH? \`--runtime docker|podman\` picks one)`;
  if (!c.stateMount) return `the container does not mount ${stateDir}: its gateway keeps its state somewhere else (pass --state-dir with the host path of the container's state dir)`;
  if (!c.stateMount.rw) return `the container mounts ${stateDir} read-only`;
  return 'the container has no name or id';
}

/** `docker` or `podman`, the CLI to name in advice (the one that answered, when one did). */
export function runtimeCli(info: ContainerInfo): string {
  return info.cli ?? (info.runtime === 'podman' ? 'podman' : 'docker');
}

/** How to name the container in messages: its name, its short id, or a generic phrase. */
export function containerLabel(info: ContainerInfo): string {
  if (info.name) return info.name;
  if (info.id) return info.id.slice(0, 12);
  return `the container (gateway pid ${info.pid})`;
}
