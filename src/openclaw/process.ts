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

/** The listening TCP sockets of this network namespace: local port → socket inodes (any local address). */
export type Listeners = ReadonlyMap<number, ReadonlySet<string>>;

const NONE: ReadonlySet<string> = new Set();

/** A table line's listening socket (port and inode), or undefined when the line is not a listener. */
function listenerRow(line: string): { port: number; inode: string } | undefined {
  if (!line.includes(' 0A ')) return undefined; // state 0A is LISTEN; most lines are connections
  const cols = line.trim().split(/\s+/);
  if (cols.length < 10 || cols[3] !== '0A') return undefined;
  const local = cols[1]!;
  const port = parseInt(local.slice(local.lastIndexOf(':') + 1), 16);
  return Number.isInteger(port) ? { port, inode: cols[9]! } : undefined;
}

function addRow(into: Map<number, Set<string>>, { port, inode }: { port: number; inode: string }): void {
  let set = into.get(port);
  if (!set) into.set(port, (set = new Set()));
  set.add(inode);
}

/** The listening sockets of one /proc/net/tcp{,6} text, added to `into`. */
function listenersIn(text: string, into: Map<number, Set<string>>): void {
  for (const line of text.split('\n').slice(1)) {
    const row = listenerRow(line);
    if (row) addRow(into, row);
  }
}

const TCP_TABLES = ['/proc/net/tcp', '/proc/net/tcp6'];

function listenersNow(): Listeners {
  const found = new Map<number, Set<string>>();
  for (const table of TCP_TABLES) {
    try {
      listenersIn(readFileSync(table, 'utf8'), found);
    } catch {
      /* no such table (no IPv6, not Linux) */
    }
  }
  return found;
}

/** Adds the listeners these table lines begin with; false once a line is not a listener (the rest is not looked at). */
function addListening(lines: readonly string[], into: Map<number, Set<string>>): boolean {
  for (const line of lines) {
    if (!line.trim()) continue;
    const row = listenerRow(line);
    if (!row) return false;
    addRow(into, row);
  }
  return true;
}

/**
 * The listening sockets of one table, read until its listeners end. The kernel lists a table's
 * listening sockets first (its listening hash, then the established one: connections, TIME_WAIT) and
 * serves /proc/net/tcp a page per read, walking its whole established hash for each: reading the
 * listeners alone took ~1.5 ms here against 5–30 ms for the whole table (~160 lines). A listener the
 * early stop missed (a kernel that ordered the table otherwise) is looked for again in the whole table
 * by pidListeningOn, which the snapshot and the stop fall back to when the port shows no listener.
 */
async function listenersOf(table: string, into: Map<number, Set<string>>): Promise<void> {
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(table, 'r');
  } catch {
    return; // no such table (no IPv6, not Linux)
  }
  try {
    const buf = Buffer.allocUnsafe(64 * 1024);
    let rest = '';
    let header = true;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (!bytesRead) break;
      const lines = (rest + buf.toString('latin1', 0, bytesRead)).split('\n');
      rest = lines.pop()!;
      if (header && lines.length) {
        lines.shift();
        header = false;
      }
      if (!addListening(lines, into)) return; // past the listeners
    }
    if (!header) addListening([rest], into);
  } catch {
    /* a table that cannot be read answers nothing */
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/** The same, read off the main thread (the snapshot starts it first; it is read while the state dir is found and the config read). */
export async function readListeners(tables: readonly string[] = TCP_TABLES): Promise<Listeners> {
  const found = new Map<number, Set<string>>();
  await Promise.all(tables.map((t) => listenersOf(t, found)));
  return found;
}

/** Inodes of the sockets listening on `port`. */
function socketsOn(listeners: Listeners, port: number): ReadonlySet<string> {
  return listeners.get(port) ?? NONE;
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
  return pidHolding(socketsOn(listenersNow(), port), likely);
}

/**
 * The pid listening on `port` by a table read earlier (readListeners): when that table shows no
 * listener on the port (a gateway that started since, or one the quick read stopped before), a fresh
 * whole table is read before the caller falls back to a lock file's pid.
 */
export function pidOnPort(listeners: Listeners, port: number, likely?: number): number | undefined {
  const sockets = socketsOn(listeners, port);
  return sockets.size ? pidHolding(sockets, likely) : pidListeningOn(port, likely);
}

/** The pid holding one of these listening sockets (see pidListeningOn); `likely` is checked first. */
function pidHolding(inodes: ReadonlySet<string>, likely?: number): number | undefined {
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
