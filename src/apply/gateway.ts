/**
 * Driving the gateway through the `openclaw` CLI (execa), and proving its state with the loopback
 * health probe. Stop and start return only when the gateway is really down / really answering.
 */
import { probeGateway } from '../openclaw/gateway-probe.js';
import { parseVersion } from '../openclaw/version.js';
import { ClawfixError } from '../util/errors.js';
import { pollUntil } from '../util/poll.js';
import { clearRecord, findGateway, loadRecord, relaunch, saveRecord } from './foreground.js';

export interface GatewayControl {
  /** true: answers /healthz (live); false: nothing listens; null: something answers but not live, or unknown. */
  isUp(): Promise<boolean | null>;
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
  return {
    isUp,
    async stop(signal) {
      // The service manager first; a gateway it does not own (foreground, container) is stopped by pid.
      let serviceError: unknown;
      let said = '';
      try {
        await run(sArgs, 'stop the gateway', signal);
        said = lastOutput;
      } catch (err) {
        if (signal?.aborted) throw err;
        serviceError = err;
      }
      // "not loaded / not installed / skipped": no service owns this gateway, so do not wait for one.
      const noService = !!serviceError || NO_SERVICE.test(said);
      const wait = noService ? 0 : o.stopTimeoutMs;
      if (await pollUntil(async () => (await isUp()) === false, { timeoutMs: wait, ...(signal ? { signal } : {}) })) return;
      if (!noService) throw new ClawfixError(`the gateway still answers on 127.0.0.1:${o.port} ${Math.round(o.stopTimeoutMs / 1000)} s after \`openclaw gateway stop\``);
      const proc = await findGateway(o.port, o.configPath);
      if (!proc) {
        if (serviceError) throw serviceError;
        throw new ClawfixError(`no service manages the gateway on 127.0.0.1:${o.port} and its process could not be found`, {
          hint: 'stop the gateway yourself (Ctrl-C where it runs, or docker stop), then run clawfix again',
        });
      }
      await saveRecord(o.stateDir, proc);
      try {
        process.kill(proc.pid, 'SIGTERM');
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
