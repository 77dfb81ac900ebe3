/**
 * Gateways that no service manager owns (`openclaw gateway run` in a terminal, tmux, a container's
 * main process): the service commands cannot stop or start them. clawfix then finds the process
 * (OpenClaw's lock file, else the port's listener), records how it was started (argv, cwd, env), stops
 * it with SIGTERM and later starts the same command line again, detached. Linux (/proc) only.
 *
 * The recorded command lives in <state>/clawfix/gateway-process.json (0600, may hold the gateway's
 * environment, like the state dir's other files) until the gateway is started again, so a clawfix that
 * is killed in between still lets the next run restart it.
 */
import { spawn } from 'node:child_process';
import { promises as fs, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { readGatewayLock } from '../openclaw/gateway-probe.js';
import { writeAtomic } from './fs.js';

export interface ForegroundProcess {
  pid: number;
  argv: string[];
  cwd: string;
  env: Record<string, string>;
}

/** pid listening on 127.0.0.1:port (or any address), from /proc/net/tcp{,6} and /proc/<pid>/fd. */
export function pidListeningOn(port: number): number | undefined {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10) continue;
      const local = cols[1]!;
      if (cols[3] === '0A' && local.endsWith(`:${hexPort}`)) inodes.add(cols[9]!);
    }
  }
  if (!inodes.size) return undefined;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m && inodes.has(m[1]!)) return Number(pid);
      } catch {
        /* fd closed meanwhile */
      }
    }
  }
  return undefined;
}

export function readProcess(pid: number): ForegroundProcess | undefined {
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

export async function findGateway(port: number, configPath: string): Promise<ForegroundProcess | undefined> {
  const lock = await readGatewayLock(configPath);
  const pid = lock?.pid ?? pidListeningOn(port);
  return pid ? readProcess(pid) : undefined;
}

export function recordPath(stateDir: string): string {
  return path.join(stateDir, 'clawfix', 'gateway-process.json');
}

export async function saveRecord(stateDir: string, p: ForegroundProcess): Promise<void> {
  await fs.mkdir(path.dirname(recordPath(stateDir)), { recursive: true, mode: 0o700 });
  await writeAtomic(recordPath(stateDir), JSON.stringify(p) + '\n', 0o600);
}

export async function loadRecord(stateDir: string): Promise<ForegroundProcess | undefined> {
  try {
    return JSON.parse(await fs.readFile(recordPath(stateDir), 'utf8')) as ForegroundProcess;
  } catch {
    return undefined;
  }
}

export async function clearRecord(stateDir: string): Promise<void> {
  await fs.rm(recordPath(stateDir), { force: true });
}

/** Start the recorded command line again, detached from clawfix (it outlives this process). */
export function relaunch(p: ForegroundProcess): number | undefined {
  const [cmd, ...args] = p.argv;
  const child = spawn(cmd!, args, { cwd: p.cwd, env: p.env, detached: true, stdio: 'ignore' });
  child.on('error', () => {}); // e.g. ENOENT: reported by the caller's health poll, never an uncaught crash
  child.unref();
  return child.pid;
}
