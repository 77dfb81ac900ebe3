/**
 * What a container runtime's CLI (`docker` or `podman`, which share these commands and the inspect
 * JSON shape) says about its containers, read-only: `ps -a -q` and `inspect`. Used to find the
 * container whose bind mount holds this state dir — also when it is stopped — and to describe the one
 * a cgroup named: its name, whether it runs, its mounts, its compose project.
 *
 * Secrets: inspect output carries the container's environment (OPENCLAW_GATEWAY_TOKEN, API keys); it is
 * parsed here and only the few path variables below are kept. Raw output is never passed on.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type { CommandRunner } from './container.js';

export type RuntimeCli = 'docker' | 'podman';
export const RUNTIME_CLIS: readonly RuntimeCli[] = ['podman', 'docker'];

export interface ContainerMount {
  type: string;
  /** Host path (a bind mount's dir, a volume's data dir). */
  source: string;
  /** Path inside the container. */
  destination: string;
  rw: boolean;
}

export interface ContainerRecord {
  cli: RuntimeCli;
  id: string;
  name: string;
  status: string;
  running: boolean;
  /** Host pid of the container's first process (0 when stopped). */
  pid: number;
  mounts: ContainerMount[];
  labels: Record<string, string>;
  /** The path variables of its environment that decide where OpenClaw keeps its state. */
  env: { HOME?: string; OPENCLAW_STATE_DIR?: string; OPENCLAW_CONFIG_PATH?: string };
  user?: string;
  init?: boolean;
  /** The container's writable layer on the host (overlay drivers), where files it wrote (its logs in /tmp) are, running or not. */
  upperDir?: string;
}

const KEPT_ENV = ['HOME', 'OPENCLAW_STATE_DIR', 'OPENCLAW_CONFIG_PATH'] as const;

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** `docker inspect` / `podman inspect` JSON → records. Unknown shapes are skipped, never thrown. */
export function parseInspect(cli: RuntimeCli, json: string): ContainerRecord[] {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    return [];
  }
  if (!Array.isArray(data)) return [];
  const out: ContainerRecord[] = [];
  for (const c of data as Record<string, unknown>[]) {
    const id = str(c.Id) ?? str(c.ID);
    if (!id) continue;
    const state = (c.State ?? {}) as Record<string, unknown>;
    const config = (c.Config ?? {}) as Record<string, unknown>;
    const host = (c.HostConfig ?? {}) as Record<string, unknown>;
    const mounts = Array.isArray(c.Mounts) ? (c.Mounts as Record<string, unknown>[]) : [];
    const env: ContainerRecord['env'] = {};
    for (const kv of Array.isArray(config.Env) ? (config.Env as unknown[]) : []) {
      if (typeof kv !== 'string') continue;
      const i = kv.indexOf('=');
      const k = kv.slice(0, i) as (typeof KEPT_ENV)[number];
      if (i > 0 && KEPT_ENV.includes(k)) env[k] = kv.slice(i + 1);
    }
    const labels: Record<string, string> = {};
    if (config.Labels && typeof config.Labels === 'object') {
      for (const [k, v] of Object.entries(config.Labels as Record<string, unknown>)) if (typeof v === 'string') labels[k] = v;
    }
    const graph = ((c.GraphDriver ?? {}) as { Data?: Record<string, unknown> }).Data ?? {};
    const upperDir = str(graph.UpperDir);
    const status = str(state.Status) ?? (state.Running === true ? 'running' : 'unknown');
    out.push({
      cli,
      id,
      name: (str(c.Name) ?? id.slice(0, 12)).replace(/^\//, ''),
      status,
      running: state.Running === true || status === 'running',
      pid: typeof state.Pid === 'number' ? state.Pid : 0,
      mounts: mounts
        .map((m) => ({ type: str(m.Type) ?? 'bind', source: str(m.Source) ?? '', destination: str(m.Destination) ?? '', rw: m.RW !== false }))
        .filter((m) => m.source && m.destination),
      labels,
      env,
      ...(str(config.User) ? { user: str(config.User) } : {}),
      ...(typeof host.Init === 'boolean' ? { init: host.Init } : {}),
      ...(upperDir ? { upperDir } : {}),
    });
  }
  return out;
}

/** The variables of clawfix's environment that decide where a runtime's CLI is and what it can reach. */
export interface RuntimeEnv {
  PATH?: string | undefined;
  HOME?: string | undefined;
  XDG_DATA_HOME?: string | undefined;
  XDG_RUNTIME_DIR?: string | undefined;
  CONTAINERS_STORAGE_CONF?: string | undefined;
  DOCKER_HOST?: string | undefined;
  DOCKER_CONTEXT?: string | undefined;
}

export interface AskOptions {
  /** The user named this runtime (--runtime): being on PATH is enough. */
  named?: boolean;
  uid?: number | undefined;
  exists?: (p: string) => boolean;
  readText?: (p: string) => string | undefined;
}

function readText(p: string): string | undefined {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
}

/** podman has a store of this user's: it would otherwise create one (rootless: and leave its pause process running). */
function podmanStore(e: RuntimeEnv, uid: number | undefined, exists: (p: string) => boolean, read: (p: string) => string | undefined): boolean {
  if (e.CONTAINERS_STORAGE_CONF) return true;
  if (uid === 0) {
    const graphroot = /^\s*graphroot\s*=\s*"([^"]+)"/m.exec(read('/etc/containers/storage.conf') ?? '')?.[1] ?? '/var/lib/containers/storage';
    return exists(graphroot);
  }
  const data = e.XDG_DATA_HOME || (e.HOME ? path.join(e.HOME, '.local', 'share') : undefined);
  return !!data && exists(path.join(data, 'containers', 'storage'));
}

/** docker has a daemon to ask (without one `docker ps` can only fail, and takes its time to say so). */
function dockerDaemon(e: RuntimeEnv, exists: (p: string) => boolean): boolean {
  if (e.DOCKER_HOST || e.DOCKER_CONTEXT) return true;
  const sockets = ['/var/run/docker.sock', ...(e.XDG_RUNTIME_DIR ? [path.join(e.XDG_RUNTIME_DIR, 'docker.sock')] : [])];
  return sockets.some(exists) || (!!e.HOME && exists(path.join(e.HOME, '.docker', 'contexts', 'meta')));
}

/**
 * Whether asking `cli` can find anything, decided without spawning it (a diagnose with the gateway
 * stopped asks both CLIs): it is on PATH, and — unless the user named it — docker has a daemon endpoint
 * (DOCKER_HOST / DOCKER_CONTEXT, the usual sockets, a configured context) and podman a store of this
 * user's (CONTAINERS_STORAGE_CONF; root: the rootful graphroot; others: a rootless store), so a
 * read-only look never makes podman set up a store, or leave its pause process running, for a user
 * who has no containers.
 */
export function cliOnPath(cli: RuntimeCli, e: RuntimeEnv, o: AskOptions = {}): boolean {
  const exists = o.exists ?? existsSync;
  if (!(e.PATH ?? '').split(path.delimiter).some((dir) => dir && exists(path.join(dir, cli)))) return false;
  if (o.named) return true;
  return cli === 'docker' ? dockerDaemon(e, exists) : podmanStore(e, 'uid' in o ? o.uid : process.getuid?.(), exists, o.readText ?? readText);
}

export async function inspectContainers(run: CommandRunner, cli: RuntimeCli, refs: string[]): Promise<ContainerRecord[]> {
  if (!refs.length) return [];
  try {
    const r = await run(cli, ['inspect', '--type', 'container', ...refs]);
    // Exit 1 when one of several refs is gone: the JSON still lists the others.
    return parseInspect(cli, r.stdout);
  } catch {
    return [];
  }
}

/** Every container the runtime knows, running or not. */
export async function listContainers(run: CommandRunner, cli: RuntimeCli): Promise<ContainerRecord[]> {
  let ids: string[];
  try {
    const r = await run(cli, ['ps', '-a', '-q', '--no-trunc']);
    if (r.exitCode !== 0) return [];
    ids = r.stdout.split('\n').map((s) => s.trim()).filter(Boolean);
  } catch {
    return [];
  }
  return inspectContainers(run, cli, ids);
}

function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

export interface StateMount {
  /** The host dir the mount exposes (a bind mount's source). */
  source: string;
  destination: string;
  /** This state dir as the container sees it. */
  containerStateDir: string;
  rw: boolean;
}

/**
 * The mount through which a container sees the host state dir `stateDir`: a mount of exactly that dir,
 * or of a dir above it (a whole home mounted). undefined when the container does not see it.
 */
export function stateMountOf(rec: ContainerRecord, stateDir: string): StateMount | undefined {
  const want = real(stateDir);
  let best: StateMount | undefined;
  for (const m of rec.mounts) {
    const src = real(m.source);
    if (want !== src && !want.startsWith(src.endsWith('/') ? src : `${src}/`)) continue;
    const rel = path.relative(src, want);
    const cand = { source: src, destination: m.destination, containerStateDir: rel ? path.posix.join(m.destination, rel) : m.destination, rw: m.rw };
    if (!best || cand.source.length > best.source.length) best = cand;
  }
  return best;
}

/** The compose project and service a container belongs to (docker compose, docker-compose v1, podman-compose). */
export function composeOf(rec: ContainerRecord): { project: string; service: string; workingDir?: string } | undefined {
  const l = rec.labels;
  const project = l['com.docker.compose.project'] ?? l['io.podman.compose.project'];
  const service = l['com.docker.compose.service'];
  if (!project || !service) return undefined;
  const wd = l['com.docker.compose.project.working_dir'];
  return { project, service, ...(wd ? { workingDir: wd } : {}) };
}

/**
 * The containers (of every runtime CLI given) that mount `stateDir`, running ones first. Each CLI is
 * asked only when it has something to ask (cliOnPath; `named`: the user chose it, PATH is enough).
 */
export async function containersMounting(
  run: CommandRunner,
  clis: readonly RuntimeCli[],
  stateDir: string,
  env: RuntimeEnv,
  named = false,
): Promise<{ rec: ContainerRecord; mount: StateMount }[]> {
  const found: { rec: ContainerRecord; mount: StateMount }[] = [];
  const seen = new Set<string>();
  // The CLIs are asked at once (a docker CLI without a daemon still takes a moment to say so).
  const lists = await Promise.all(clis.map((cli) => (cliOnPath(cli, env, { named }) ? listContainers(run, cli) : Promise.resolve([]))));
  for (const list of lists) {
    for (const rec of list) {
      if (seen.has(rec.id)) continue; // docker through podman's API lists the same containers
      const mount = stateMountOf(rec, stateDir);
      if (!mount) continue;
      seen.add(rec.id);
      found.push({ rec, mount });
    }
  }
  // Running first; then the gateway's container before a sibling CLI container on the same state (compose's openclaw-cli).
  const gatewayish = (r: ContainerRecord) => Number(/gateway/i.test(`${composeOf(r)?.service ?? ''} ${r.name}`));
  return found.sort((a, b) => Number(b.rec.running) - Number(a.rec.running) || gatewayish(b.rec) - gatewayish(a.rec));
}
