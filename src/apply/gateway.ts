/**
 * Driving the gateway through the `openclaw` CLI (execa), and proving its state with the loopback
 * health probe. Stop and start return only when the gateway is really down / really answering.
 */
import { probeGateway } from '../openclaw/gateway-probe.js';
import { parseVersion } from '../openclaw/version.js';
import { ClawfixError } from '../util/errors.js';
import { pollUntil } from '../util/poll.js';

export interface GatewayControl {
  /** true: answers /healthz (live); false: nothing listens; null: something answers but not live, or unknown. */
  isUp(): Promise<boolean | null>;
  stop(): Promise<void>;
  start(): Promise<void>;
  approve(requestId: string): Promise<void>;
  listPending(): Promise<{ requestId: string; deviceId: string; scopes: string[] }[]>;
  /** The commands this control runs, for --dry-run. */
  describe(): { stop: string; start: string; approve: (id: string) => string };
}

export interface GatewayControlOptions {
  executable: string | undefined;
  version: string | undefined;
  port: number;
  /** Extra args (e.g. --profile NAME) and env (OPENCLAW_STATE_DIR when clawfix was pointed elsewhere). */
  args: string[];
  env: Record<string, string | undefined>;
  stopTimeoutMs: number;
  startTimeoutMs: number;
  signal?: AbortSignal;
}

function stopArgs(version: string | undefined): string[] {
  // 2026.8+ asks for confirmation without a TTY unless --force; older releases reject the flag.
  const v = parseVersion(version);
  return v && (v.year > 2026 || v.month >= 8) ? ['gateway', 'stop', '--force'] : ['gateway', 'stop'];
}

export function cliGatewayControl(o: GatewayControlOptions): GatewayControl {
  const exe = o.executable;
  const run = async (args: string[], what: string) => {
    if (!exe) throw new ClawfixError(`cannot ${what}: openclaw is not on PATH`, { hint: 'pass --openclaw PATH' });
    const { execa } = await import('execa');
    const r = await execa(exe, [...o.args, ...args], {
      env: o.env,
      extendEnv: true,
      reject: false,
      stdin: 'ignore',
      timeout: Math.max(o.stopTimeoutMs, o.startTimeoutMs),
      ...(o.signal ? { cancelSignal: o.signal } : {}),
    });
    if (r.isCanceled) throw Object.assign(new Error('interrupted'), { name: 'AbortError' });
    if (r.exitCode !== 0) {
      const msg = (String(r.stderr || r.stdout).trim().split('\n').pop() ?? '').slice(0, 300);
      throw new ClawfixError(`\`openclaw ${args.join(' ')}\` failed (exit ${r.exitCode ?? r.signal})${msg ? `: ${msg}` : ''}`);
    }
    return String(r.stdout);
  };
  const isUp = async () => {
    const p = await probeGateway(o.port, 800);
    return p.live ? true : p.running === false ? false : null;
  };
  const sArgs = stopArgs(o.version);
  return {
    isUp,
    async stop() {
      await run(sArgs, 'stop the gateway');
      const down = await pollUntil(async () => (await isUp()) === false, { timeoutMs: o.stopTimeoutMs, ...(o.signal ? { signal: o.signal } : {}) });
      if (!down) throw new ClawfixError(`the gateway still answers on 127.0.0.1:${o.port} ${Math.round(o.stopTimeoutMs / 1000)} s after \`openclaw gateway stop\``);
    },
    async start() {
      await run(['gateway', 'start'], 'start the gateway');
      const up = await pollUntil(async () => (await isUp()) === true, { timeoutMs: o.startTimeoutMs, ...(o.signal ? { signal: o.signal } : {}) });
      if (!up) throw new ClawfixError(`the gateway did not answer on 127.0.0.1:${o.port} within ${Math.round(o.startTimeoutMs / 1000)} s after \`openclaw gateway start\``);
    },
    async approve(requestId) {
      await run(['devices', 'approve', requestId], 'approve the request');
    },
    async listPending() {
      const outText = await run(['devices', 'list', '--json'], 'list devices');
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
