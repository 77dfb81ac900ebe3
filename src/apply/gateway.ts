/**
 * Driving the gateway: the service manager through the `openclaw` CLI first, and a gateway no service
 * owns (`openclaw gateway run` in a terminal, tmux) by its pid (foreground.ts); proven with the
 * loopback health probe. Stop and start return only when the gateway is really down / really answering.
 * A gateway in a container is never stopped here (the planner refuses first; this is the last line).
 */
import path from 'node:path';
import { classifyGateway, selfContainerMarker } from '../openclaw/container.js';
import { probeGateway } from '../openclaw/gateway-probe.js';
import { pidListeningOn, readPlacement } from '../openclaw/process.js';
import { parseVersion } from '../openclaw/version.js';
import { ClawfixError } from '../util/errors.js';
import { pollUntil } from '../util/poll.js';
import { foregroundControl } from './foreground.js';
import { openclawCli, type OpenclawCli } from './openclaw-cli.js';

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

function refuseContainer(port: number, pid: number): void {
  if (!classifyGateway({ gateway: readPlacement(pid), self: readPlacement('self'), init: readPlacement(1), selfMarker: selfContainerMarker() })) return;
  throw new ClawfixError(`the gateway on 127.0.0.1:${port} (pid ${pid}) runs in a container; clawfix does not stop containers, nothing was stopped`, {
    hint: 'stop the container with its runtime (docker/podman stop -t 30 NAME), then run clawfix again',
  });
}

/** `openclaw gateway stop`: what it said, whether it may have reached the gateway, and its error. */
async function serviceStop(cli: OpenclawCli, args: string[], signal?: AbortSignal): Promise<{ said: string; issued: boolean; error?: unknown }> {
  try {
    await cli.run(args, 'stop the gateway', signal);
    return { said: cli.lastOutput(), issued: true };
  } catch (err) {
    if (signal?.aborted) throw err;
    // A stop command that timed out may still be taking the gateway down.
    return { said: cli.lastOutput(), issued: !!(err as { timedOut?: boolean }).timedOut, error: err };
  }
}

/** A process named by its executable (and a node script's file name): never its arguments, which may carry a token. */
function processName(cmdline: string[] | undefined): string | undefined {
  const [exe, script] = cmdline ?? [];
  if (!exe) return undefined;
  const base = path.basename(exe);
  return /^node(js)?(\d+)?$/.test(base) && script && !script.startsWith('-') ? `${base} ${path.basename(script)}` : base;
}

/**
 * The next step when a gateway will not stop: who holds the port (pid and process name, never its
 * command line, which may carry a token) and how to stop it by hand.
 */
function holderHint(port: number, args: readonly string[]): string {
  const pid = pidListeningOn(port);
  const name = pid ? processName(readPlacement(pid).cmdline) : undefined;
  const profile = args[args.indexOf('--profile') + 1];
  const unit = `openclaw-gateway${args.includes('--profile') && profile ? `-${profile}` : ''}.service`;
  const who = pid ? `pid ${pid}${name ? ` (${name})` : ''} holds 127.0.0.1:${port}` : `something holds 127.0.0.1:${port} (its pid is not visible to this user: look with \`ss -ltnp 'sport = :${port}'\` as root)`;
  const kill = pid ? `\`kill ${pid}\` (\`kill -9 ${pid}\` if it ignores that)` : 'stopping that process';
  return `${who}: stop it where it runs (Ctrl-C in its terminal; a service with \`systemctl --user stop ${unit}\`, a container with \`docker stop\`) or with ${kill}, then run clawfix again`;
}

/** A stop that failed while the gateway still answers gets the holder of the port as its next step. */
async function withHolderHint(err: unknown, port: number, args: readonly string[], stillUp: () => Promise<boolean | null>): Promise<unknown> {
  if (!(err instanceof ClawfixError) || err.hint || (err as { name?: string }).name === 'AbortError') return err;
  if ((await stillUp()) === false) return err;
  return Object.assign(new ClawfixError(err.message, { exitCode: err.exitCode, hint: holderHint(port, args), cause: err }), (err as { timedOut?: boolean }).timedOut ? { timedOut: true } : {});
}

export function cliGatewayControl(o: GatewayControlOptions): GatewayControl {
  const cli = openclawCli({ executable: o.executable, args: o.args, env: o.env, timeoutMs: Math.max(o.stopTimeoutMs, o.startTimeoutMs) });
  const isUp = async () => {
    const p = await probeGateway(o.port, 800);
    return p.live ? true : p.running === false ? false : null;
  };
  const waitDown = (timeoutMs: number, signal?: AbortSignal) => pollUntil(async () => (await isUp()) === false, { timeoutMs, ...(signal ? { signal } : {}) });
  const fg = foregroundControl({ ...o, waitDown, relaunchAs: o.executable ? [o.executable, ...o.args, 'gateway', 'run'] : undefined });
  const sArgs = stopArgs(o.version);
  let stopIssued = false;
  const stopOnce = async (signal?: AbortSignal): Promise<void> => {
    stopIssued = false;
    // Recorded first: the CLI itself may stop an unmanaged gateway, and then nobody could start it again.
    const finding = fg.find(); // its /proc reads run off the main thread while the runner loads
    cli.warm();
    const before = await finding;
    if (before) refuseContainer(o.port, before.pid);
    const svc = await serviceStop(cli, sArgs, signal);
    stopIssued = svc.issued;
    if (before && CLI_STOPPED_UNMANAGED.test(svc.said)) await fg.remember(before);
    // "not loaded / not installed / skipped": no service owns this gateway, so do not wait for one.
    // Any other failure of the service command is a failure: a gateway a service manager owns is
    // never killed by pid (systemd could restart it under us while the store is being edited).
    const noService = NO_SERVICE.test(svc.said);
    if (svc.error && !noService) throw svc.error;
    if (await waitDown(noService ? 0 : o.stopTimeoutMs, signal)) return;
    if (!noService) throw new ClawfixError(`the gateway still answers on 127.0.0.1:${o.port} ${Math.round(o.stopTimeoutMs / 1000)} s after \`openclaw gateway stop\``);
    await fg.stop(signal, svc.error, () => (stopIssued = true));
  };
  return {
    isUp,
    stopIssued: () => stopIssued,
    forgetForeground: () => fg.forget(),
    async stop(signal) {
      try {
        await stopOnce(signal);
      } catch (err) {
        throw await withHolderHint(err, o.port, o.args, isUp);
      }
    },
    async start(signal) {
      const relaunched = await fg.relaunchRecorded();
      if (!relaunched) await cli.run(['gateway', 'start'], 'start the gateway', signal);
      const up = await pollUntil(async () => (await isUp()) === true, { timeoutMs: o.startTimeoutMs, ...(signal ? { signal } : {}) });
      if (!up) {
        throw new ClawfixError(
          `the gateway did not answer on 127.0.0.1:${o.port} within ${Math.round(o.startTimeoutMs / 1000)} s after ${relaunched ? `relaunching \`${relaunched.argv.join(' ')}\`` : '`openclaw gateway start`'}`,
        );
      }
      if (relaunched) await fg.forget();
    },
    async approve(requestId, signal) {
      await cli.run(['devices', 'approve', requestId], 'approve the request', signal);
    },
    describe() {
      const pre = ['openclaw', ...o.args].join(' ');
      return { stop: `${pre} ${sArgs.join(' ')}`, start: `${pre} gateway start`, approve: (id) => `${pre} devices approve ${id}` };
    },
  };
}
