/**
 * Driving the gateway: the service manager through the `openclaw` CLI first, and a gateway no service
 * owns (`openclaw gateway run` in a terminal, tmux) by its pid (foreground.ts); proven with the
 * loopback health probe. Stop and start return only when the gateway is really down / really answering.
 * A gateway in a container is never stopped here (the planner refuses first; this is the last line).
 */
import { classifyGateway, selfContainerMarker } from '../openclaw/container.js';
import { probeGateway } from '../openclaw/gateway-probe.js';
import { readPlacement } from '../openclaw/process.js';
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

/** The pending requests in `openclaw devices list --json` output (which may print a banner first). */
export function pendingOf(outText: string): { requestId: string; deviceId: string; scopes: string[] }[] {
  const data = JSON.parse(outText.slice(outText.indexOf('{'))) as { pending?: { requestId?: string; deviceId?: string; scopes?: string[] }[] };
  return (data.pending ?? [])
    .filter((p) => typeof p.requestId === 'string' && typeof p.deviceId === 'string')
    .map((p) => ({ requestId: p.requestId as string, deviceId: p.deviceId as string, scopes: Array.isArray(p.scopes) ? p.scopes : [] }));
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
  return {
    isUp,
    stopIssued: () => stopIssued,
    forgetForeground: () => fg.forget(),
    async stop(signal) {
      stopIssued = false;
      // Recorded first: the CLI itself may stop an unmanaged gateway, and then nobody could start it again.
      const before = await fg.find();
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
    listPending: async (signal) => pendingOf(await cli.run(['devices', 'list', '--json'], 'list devices', signal)),
    describe() {
      const pre = ['openclaw', ...o.args].join(' ');
      return { stop: `${pre} ${sArgs.join(' ')}`, start: `${pre} gateway start`, approve: (id) => `${pre} devices approve ${id}` };
    },
  };
}
