/**
 * Processes on this machine, read from /proc (Linux; elsewhere every function answers "unknown"):
 * who listens on a port, a process's command line, environment and working dir, its cgroup and PID
 * namespace. Read-only.
 */
import { promises as fs, readFileSync, readdirSync, readlinkSync } from 'node:fs';

export interface ProcessInfo {
  pid: number;
  argv: string[];
  cwd: string;
  env: Record<string, string>;
}

/** Inodes of the sockets listening on `port` (any local address) in one /proc/net/tcp{,6} text. */
function listeningIn(text: string, port: number, into: Set<string>): void {
  const suffix = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const local = `${suffix} `; // the local address column ends with the port; most lines never name it
  for (const line of text.split('\n').slice(1)) {
    if (!line.includes(local)) continue;
    const cols = line.trim().split(/\s+/);
    if (cols.length < 10) continue;
    if (cols[3] === '0A' && cols[1]!.endsWith(suffix)) into.add(cols[9]!);
  }
}

const TCP_TABLES = ['/proc/net/tcp', '/proc/net/tcp6'];

function listeningInodes(port: number): Set<string> {
  const found = new Set<string>();
  for (const table of TCP_TABLES) {
    try {
      listeningIn(readFileSync(table, 'utf8'), port, found);
    } catch {
      /* no such table (no IPv6, not Linux) */
    }
  }
  return found;
}

/**
 * The same, read off the main thread: the kernel builds /proc/net/tcp on each read, which measured
 * 10-30 ms here, so the snapshot reads it while it waits for the gateway's /healthz answer.
 */
export async function listeningSockets(port: number): Promise<Set<string>> {
  const found = new Set<string>();
  const texts = await Promise.all(TCP_TABLES.map((t) => fs.readFile(t, 'utf8').catch(() => '')));
  for (const text of texts) listeningIn(text, port, found);
  return found;
}

function holdsSocket(pid: string, inodes: ReadonlySet<string>): boolean {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false;
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m && inodes.has(m[1]!)) return true;
    } catch {
      /* fd closed meanwhile */
    }
  }
  return false;
}

/**
 * pid listening on `port` (any local address), from /proc/net/tcp{,6} and /proc/<pid>/fd. A likely pid
 * (the gateway's lock file names one) is checked first: then only its fds are read, not every process's.
 */
export function pidListeningOn(port: number, likely?: number): number | undefined {
  return pidHolding(listeningInodes(port), likely);
}

/** The pid holding one of these listening sockets (see pidListeningOn); `likely` is checked first. */
export function pidHolding(inodes: ReadonlySet<string>, likely?: number): number | undefined {
  if (!inodes.size) return undefined;
  if (likely !== undefined && holdsSocket(String(likely), inodes)) return likely;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return undefined;
  }
  const pid = pids.find((p) => holdsSocket(p, inodes));
  return pid === undefined ? undefined : Number(pid);
}

/** argv, environment and working dir of a process (undefined when it is gone or not readable). */
export function readProcess(pid: number): ProcessInfo | undefined {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const env: Record<string, string> = {};
    for (const kv of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
      const i = kv.indexOf('=');
      if (i > 0) env[kv.slice(0, i)] = kv.slice(i + 1);
    }
    const cwd = readlinkSync(`/proc/${pid}/cwd`);
    return argv.length ? { pid, argv, cwd, env } : undefined;
  } catch {
    return undefined;
  }
}

function read(p: string): string | undefined {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
}

function link(p: string): string | undefined {
  try {
    return readlinkSync(p);
  } catch {
    return undefined;
  }
}

/** The raw facts about a process that tell whether it runs in a container. Strings as /proc has them. */
export interface ProcessPlacement {
  pid: number;
  /** /proc/<pid>/comm, trimmed. */
  comm?: string;
  cmdline?: string[];
  cgroup?: string;
  /** readlink /proc/<pid>/ns/pid, e.g. `pid:[4026531836]`. */
  pidNs?: string;
  /** The `container` environment variable (podman and systemd-nspawn set it). */
  containerEnv?: string;
  ppid?: number;
}

export function readPlacement(pid: number | 'self'): ProcessPlacement {
  const base = `/proc/${pid}`;
  const comm = read(`${base}/comm`)?.trim();
  const cmdline = read(`${base}/cmdline`)?.split('\0').filter(Boolean);
  const cgroup = read(`${base}/cgroup`);
  const pidNs = link(`${base}/ns/pid`);
  const environ = read(`${base}/environ`);
  const containerEnv = environ
    ?.split('\0')
    .find((kv) => kv.startsWith('container='))
    ?.slice('container='.length);
  const stat = read(`${base}/stat`);
  const ppid = stat ? Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) : undefined;
  return {
    pid: pid === 'self' ? process.pid : pid,
    ...(comm ? { comm } : {}),
    ...(cmdline?.length ? { cmdline } : {}),
    ...(cgroup !== undefined ? { cgroup } : {}),
    ...(pidNs ? { pidNs } : {}),
    ...(containerEnv ? { containerEnv } : {}),
    ...(ppid !== undefined && Number.isInteger(ppid) ? { ppid } : {}),
  };
}
