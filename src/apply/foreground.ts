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
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { readGatewayLock } from '../openclaw/gateway-probe.js';
import { pidListeningOn, readProcess, type ProcessInfo } from '../openclaw/process.js';
import { writeAtomic } from './fs.js';

export type ForegroundProcess = ProcessInfo;

export async function findGateway(port: number, configPath: string): Promise<ForegroundProcess | undefined> {
  // The port's listener first: a lock file may name a pid of another PID namespace (a container sharing /tmp).
  const pid = pidListeningOn(port) ?? (await readGatewayLock(configPath))?.pid;
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
