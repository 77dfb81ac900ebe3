/**
 * Driving the gateway through the `openclaw` CLI (execa), and proving its state with the loopback
 * health probe. Stop and start return only when the gateway is really down / really answering.
 */
import { classifyGateway, selfContainerMarker } from '../openclaw/container.js';
import { probeGateway } from '../openclaw/gateway-probe.js';
import { readPlacement } from '../openclaw/process.js';
import { parseVersion } from '../openclaw/version.js';
import { ClawfixError } from '../util/errors.js';
import { pollUntil } from '../util/poll.js';
import { clearRecord, findGateway, loadRecord, relaunch, saveRecord, type ForegroundProcess } from './foreground.js';

export interface GatewayControl {
  /** true: answers /healthz (live); false: nothing listens; null: something answers but not live, or unknown. */
  isUp(): Promise<boolean | null>;
  /** Whether the last stop() may have reached the gateway (it can still be on its way down). */
  stopIssued(): boolean;
  /** Forget a recorded foreground command line (the gateway it describes is still serving). */
  forgetForeground(): Promise<void>;
  /** `signal` cancels forward steps only; undo paths call these without one so a rollback always runs. */
  stop(signal?: AbortSignal): Promise<void>;
  start(signal?: AbortSignal): Promise<void>;
  approve(requestId: string, signal?: AbortSignal): Promise<void>;
  listPending(signal?: AbortSignal): Promise<{ requestId: string; deviceId: string; scopes: string[] }[]>;
  /** The commands this control runs, for --dry-run. */
  describe(): { stop: string; start: string; approve: (id: string) => string };
}

export interface GatewayControlOptions {
  executable: string | undefined;
  stateDir: string;
  configPath: string;
  version: string | undefined;
  port: number;
  /** Extra args (e.g. --profile NAME) and the complete environment for the child (clawfix's env port plus overrides). */
  args: string[];
  env: Record<string, string | undefined>;
  stopTimeoutMs: number;
  startTimeoutMs: number;
}

const NO_SERVICE = /not loaded|not installed|no service|service management skipped|not running|isn't running/i;
/** Real 2026.7.x: with no service, `openclaw gateway stop` signals a foreground gateway itself and says so. */
const CLI_STOPPED_UNMANAGED = /stop signal sent to unmanaged process/i;

function stopArgs(version: string | undefined): string[] {
  // 2026.8+ asks for confirmation without a TTY unless --force; older releases reject the flag.
  const v = parseVersion(version);
  return v && (v.year > 2026 || v.month >= 8) ? ['gateway', 'stop', '--force'] : ['gateway', 'stop'];
}

export function cliGatewayControl(o: GatewayControlOptions): GatewayControl {
  const exe = o.executable;
  let lastOutput = '';
  const run = async (args: string[], what: string, signal?: AbortSignal) => {
    if (!exe) throw new ClawfixError(`cannot ${what}: openclaw is not on PATH`, { hint: 'pass --openclaw PATH' });
    const { execa } = await import('execa');
    const r = await execa(exe, [...o.args, ...args], {
      env: o.env,
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
      timeout: Math.max(o.stopTimeoutMs, o.startTimeoutMs),
      ...(signal ? { cancelSignal: signal } : {}),
    });
    if (r.isCanceled) throw Object.assign(new Error('interrupted'), { name: 'AbortError' });
    lastOutput = `${String(r.stdout)}\n${String(r.stderr)}`;
    if (r.timedOut) {
      throw Object.assign(new ClawfixError(`\`openclaw ${args.join(' ')}\` did not finish within ${Math.round(Math.max(o.stopTimeoutMs, o.startTimeoutMs) / 1000)} s`), { timedOut: true });
    }
    if (r.exitCode !== 0) {
      const msg = (String(r.stderr || r.stdout).trim().split('\n').pop() ?? '').slice(0, 300);
      throw new ClawfixError(`\`openclaw ${args.join(' ')}\` failed (exit ${r.exitCode ?? r.signal})${msg ? `: ${msg}` : ''}`);
    }
    lastOutput = `${String(r.stdout)}\n${String(r.stderr)}`;
    return String(r.stdout);
  };
  const isUp = async () => {
    const p = await probeGateway(o.port, 800);
    return p.live ? true : p.running === false ? false : null;
  };
  const sArgs = stopArgs(o.version);
  /**
   * A real gateway renames itself (`process.title = "openclaw-gateway"`), which overwrites
   * /proc/<pid>/cmdline: the command line it was started with is gone. Relaunch it as
   * `<openclaw> gateway run` with its recorded environment and working dir (port, state dir and
   * config come from those); undefined when no `openclaw` is known to do that with.
   */
  const relaunchable = (p: ForegroundProcess): ForegroundProcess | undefined =>
    p.argv.length > 1 ? p : exe ? { ...p, argv: [exe, ...o.args, 'gateway', 'run'] } : undefined;
  let stopIssued = false;
  return {
    isUp,
    stopIssued: () => stopIssued,
    forgetForeground: () => clearRecord(o.stateDir),
    async stop(signal) {
      // The service manager first; a gateway it does not own (foreground, container) is stopped by pid.
      stopIssued = false;
      let serviceError: unknown;
      // Recorded first: the CLI itself may stop an unmanaged gateway, and then nobody could start it again.
      const before = await findGateway(o.port, o.configPath);
      // Never the host's way for a container's main process (the plan is refused before this; this is the last line).
      const contained = before && classifyGateway({ gateway: readPlacement(before.pid), self: readPlacement('self'), init: readPlacement(1), selfMarker: selfContainerMarker() });
      if (contained) {
        throw new ClawfixError(`the gateway on 127.0.0.1:${o.port} (pid ${before.pid}) runs in a container; clawfix does not stop containers, nothing was stopped`, {
          hint: 'stop the container with its runtime (docker/podman stop -t 30 NAME), then run clawfix again',
        });
      }
      lastOutput = '';
      try {
        await run(sArgs, 'stop the gateway', signal);
        stopIssued = true;
      } catch (err) {
        if (signal?.aborted) throw err;
        serviceError = err;
        // A stop command that timed out may still be taking the gateway down.
        if ((err as { timedOut?: boolean }).timedOut) stopIssued = true;
      }
      const said = lastOutput;
      const relaunchRecord = before && CLI_STOPPED_UNMANAGED.test(said) ? relaunchable(before) : undefined;
      if (relaunchRecord) await saveRecord(o.stateDir, relaunchRecord);
      // "not loaded / not installed / skipped": no service owns this gateway, so do not wait for one.
      // Any other failure of the service command is a failure: a gateway a service manager owns is
      // never killed by pid (systemd could restart it under us while the store is being edited).
      const noService = NO_SERVICE.test(said);
      if (serviceError && !noService) throw serviceError;
      const wait = noService ? 0 : o.stopTimeoutMs;
      if (await pollUntil(async () => (await isUp()) === false, { timeoutMs: wait, ...(signal ? { signal } : {}) })) return;
      if (!noService) throw new ClawfixError(`the gateway still answers on 127.0.0.1:${o.port} ${Math.round(o.stopTimeoutMs / 1000)} s after \`openclaw gateway stop\``);
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
        stopIssued = true;
      } catch (err) {
        await clearRecord(o.stateDir);
        throw new ClawfixError(`could not stop the foreground gateway (pid ${proc.pid}): ${(err as Error).message}`);
      }
      const down = await pollUntil(async () => (await isUp()) === false, { timeoutMs: o.stopTimeoutMs, ...(signal ? { signal } : {}) });
      if (!down) throw new ClawfixError(`the foreground gateway (pid ${proc.pid}) still answers ${Math.round(o.stopTimeoutMs / 1000)} s after SIGTERM`);
    },
    async start(signal) {
      const fg = await loadRecord(o.stateDir);
      if (fg) relaunch(fg);
      else await run(['gateway', 'start'], 'start the gateway', signal);
      const up = await pollUntil(async () => (await isUp()) === true, { timeoutMs: o.startTimeoutMs, ...(signal ? { signal } : {}) });
      if (!up) {
        throw new ClawfixError(
          `the gateway did not answer on 127.0.0.1:${o.port} within ${Math.round(o.startTimeoutMs / 1000)} s after ${fg ? `relaunching \`${fg.argv.join(' ')}\`` : '`openclaw gateway start`'}`,
        );
      }
      if (fg) await clearRecord(o.stateDir);
    },
    async approve(requestId, signal) {
      await run(['devices', 'approve', requestId], 'approve the request', signal);
    },
    async listPending(signal) {
      const outText = await run(['devices', 'list', '--json'], 'list devices', signal);
      const data = JSON.parse(outText.slice(outText.indexOf('{'))) as { pending?: { requestId?: string; deviceId?: string; scopes?: string[] }[] };
      return (data.pending ?? [])
        .filter((p) => typeof p.requestId === 'string' && typeof p.deviceId === 'string')
        .map((p) => ({ requestId: p.requestId as string, deviceId: p.deviceId as string, scopes: Array.isArray(p.scopes) ? p.scopes : [] }));
    },
    describe() {
      const pre = ['openclaw', ...o.args].join(' ');
      return { stop: `${pre} ${sArgs.join(' ')}`, start: `${pre} gateway start`, approve: (id) => `${pre} devices approve ${id}` };
    },
  };
}
