/**
 * Gateways that no service manager owns (`openclaw gateway run` in a terminal, tmux): the service
 * commands cannot stop or start them. clawfix then finds the process (the port's listener, else
 * OpenClaw's lock file), records how it was started (argv, cwd, env), stops it with SIGTERM and later
 * starts the same command line again, detached. Linux (/proc) only.
 *
 * The recorded command lives in <state>/clawfix/gateway-process.json (0600, may hold the gateway's
 * environment, like the state dir's other files) until the gateway is started again, so a clawfix that
 * is killed in between still lets the next run restart it.
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { readGatewayLock } from '../openclaw/gateway-probe.js';
import { pidOnPort, readListeners, readProcess, type ProcessInfo } from '../openclaw/process.js';
import { clawfixDir } from '../records/journal.js';
import { ClawfixError } from '../util/errors.js';
import { mkdirOwned, writeAtomic } from './fs.js';

export type ForegroundProcess = ProcessInfo;

export async function findGateway(port: number, configPath: string): Promise<ForegroundProcess | undefined> {
  // The port's listener first: a lock file may name a pid of another PID namespace (a container sharing /tmp).
  const [lock, listeners] = await Promise.all([readGatewayLock(configPath).then((l) => l?.pid), readListeners()]);
  const pid = pidOnPort(listeners, port, lock) ?? lock;
  return pid ? readProcess(pid) : undefined;
}

export function recordPath(stateDir: string): string {
  return path.join(clawfixDir(stateDir), 'gateway-process.json');
}

async function saveRecord(stateDir: string, p: ForegroundProcess): Promise<void> {
  mkdirOwned(path.dirname(recordPath(stateDir)), 0o700);
  await writeAtomic(recordPath(stateDir), JSON.stringify(p) + '\n', 0o600);
}

async function loadRecord(stateDir: string): Promise<ForegroundProcess | undefined> {
  try {
    return JSON.parse(await fs.readFile(recordPath(stateDir), 'utf8')) as ForegroundProcess;
  } catch {
    return undefined;
  }
}

/** Start the recorded command line again, detached from clawfix (it outlives this process). */
function relaunch(p: ForegroundProcess): void {
  const [cmd, ...args] = p.argv;
  const child = spawn(cmd!, args, { cwd: p.cwd, env: p.env, detached: true, stdio: 'ignore' });
  child.on('error', () => {}); // e.g. ENOENT: reported by the caller's health poll, never an uncaught crash
  child.unref();
}

export interface ForegroundOptions {
  port: number;
  configPath: string;
  stateDir: string;
  stopTimeoutMs: number;
  /** How to start a gateway whose command line is gone (`<openclaw> gateway run`); undefined: no openclaw known. */
  relaunchAs: string[] | undefined;
  waitDown(timeoutMs: number, signal?: AbortSignal): Promise<boolean>;
}

export function foregroundControl(o: ForegroundOptions) {
  /**
   * A real gateway renames itself (`process.title = "openclaw-gateway"`), which overwrites
   * /proc/<pid>/cmdline: the command line it was started with is gone. Relaunch it as
   * `<openclaw> gateway run` with its recorded environment and working dir (port, state dir and
   * config come from those); undefined when no `openclaw` is known to do that with.
   */
  const relaunchable = (p: ForegroundProcess): ForegroundProcess | undefined => (p.argv.length > 1 ? p : o.relaunchAs ? { ...p, argv: o.relaunchAs } : undefined);
  const forget = () => fs.rm(recordPath(o.stateDir), { force: true });
  return {
    find: () => findGateway(o.port, o.configPath),
    forget,
    /** Record how to start `p` again (the CLI stopped it itself). */
    async remember(p: ForegroundProcess) {
      const r = relaunchable(p);
      if (r) await saveRecord(o.stateDir, r);
    },
    /** Stop the port's gateway by pid (no service owns it): recorded first, SIGTERM, wait until it is down. */
    async stop(signal: AbortSignal | undefined, serviceError: unknown, onIssued: () => void) {
      const found = await findGateway(o.port, o.configPath);
      const proc = found && relaunchable(found);
      if (found && !proc) {
        throw new ClawfixError(`the foreground gateway (pid ${found.pid}) cannot be started again: its command line is not readable and openclaw is not on PATH`, {
          hint: 'pass --openclaw PATH, or stop the gateway yourself and run clawfix again',
        });
      }
      if (!proc) {
        if (serviceError) throw serviceError;
        throw new ClawfixError(`no service manages the gateway on 127.0.0.1:${o.port} and its process could not be found`, {
          hint: 'stop the gateway yourself (Ctrl-C where it runs, or docker stop), then run clawfix again',
        });
      }
      await saveRecord(o.stateDir, proc);
      try {
        process.kill(proc.pid, 'SIGTERM');
        onIssued();
      } catch (err) {
        await forget();
        throw new ClawfixError(`could not stop the foreground gateway (pid ${proc.pid}): ${(err as Error).message}`);
      }
      if (!(await o.waitDown(o.stopTimeoutMs, signal))) throw new ClawfixError(`the foreground gateway (pid ${proc.pid}) still answers ${Math.round(o.stopTimeoutMs / 1000)} s after SIGTERM`);
    },
    /** Relaunch a recorded gateway; undefined when none is recorded (then the service is started). */
    async relaunchRecorded(): Promise<ForegroundProcess | undefined> {
      const fg = await loadRecord(o.stateDir);
      if (fg) relaunch(fg);
      return fg;
    },
  };
}
