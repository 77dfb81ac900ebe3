/**
 * One isolated REAL OpenClaw gateway for the end-to-end tests: its own temp HOME, state dir, TMPDIR,
 * loopback port and random shared token; offline (DNS preload); run by the service wrapper
 * (service.mjs) that stands in for systemd, first on PATH as `openclaw` for clawfix and for the tests.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLAWFIX_BIN, REPO_ROOT, runProcess, type RunResult } from '../helpers/cli.js';
import { healthz, waitFor } from '../helpers/wait.js';
import { killRecorded, killRecordedSync, livePids } from './processes.mjs';
import { recordTiming } from './timings.mjs';
import type { ClientShape, VersionCase } from './cases.js';

export type { VersionCase } from './cases.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const PRELOAD = path.join(HERE, 'offline.cjs');
const NODE = process.execPath;

export interface ClientResult {
  ok: boolean;
  deviceId: string;
  phase?: string;
  auth?: { role: string; scopes: string[] } | null;
  error?: string;
  code?: string | null;
  closeCode?: number;
  details?: { code?: string; reason?: string; requestId?: string; requestedScopes?: string[]; approvedScopes?: string[] } | null;
}

export interface ClientOptions {
  /** How the client presents itself (default: the version's stand-in shape). */
  shape?: ClientShape;
  /** Extra environment (E2E_DEVICE_TOKEN: authenticate with a device token instead of the shared one). */
  env?: Record<string, string>;
  /** The RPC after the handshake (default `health`, read-scoped). */
  call?: { method: string; params: Record<string, unknown> };
  /** Another device (its own identity and state dir under the run dir) instead of the state dir's identity. */
  device?: string;
  /** No device identity at all: the shared gateway token alone (the local CLI's way on ≥ 7.x). */
  noIdentity?: boolean;
}

/** What the REAL spawn driver (spawn.mjs) saw. */
export interface SpawnResult {
  ok: boolean;
  /** accepted: `Spawned subagent …`; refused: `Spawn failed: …`; other: another reply; error: no reply. */
  outcome: 'accepted' | 'refused' | 'other' | 'error';
  reply?: string;
  error?: string;
  phase?: string;
  deviceId: string;
  response?: { runId?: string; status?: string } | null;
  ms: number;
}

/** Where a log file of this gateway is, and from which byte on its lines are this run's. */
interface LogSource {
  file: string;
  from: number;
}

/** Skip reason when the global setup did not provide this version, else undefined. */
export function unavailable(version: string): string | undefined {
  if (process.env.CLAWFIX_E2E_SKIPPED) return process.env.CLAWFIX_E2E_SKIPPED;
  const installs = JSON.parse(process.env.CLAWFIX_E2E_INSTALLS || '{}') as Record<string, string>;
  return installs[version] ? undefined : `openclaw@${version} is not in this run (CLAWFIX_E2E_VERSIONS)`;
}

function freePort(): Promise<number> {
  const tryOnce = () =>
    new Promise<number>((resolve, reject) => {
      const srv = net.createServer();
      srv.unref();
      srv.on('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const port = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(port));
      });
    });
  const v6Free = (port: number) =>
    new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.unref();
      srv.on('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'EADDRNOTAVAIL' || e.code === 'EAFNOSUPPORT'));
      srv.listen(port, '::1', () => srv.close(() => resolve(true)));
    });
  return (async () => {
    for (let i = 0; i < 20; i++) {
      const p = await tryOnce();
      if (await v6Free(p)) return p;
    }
    throw new Error('no free loopback port');
  })();
}

/** Config objects merged key by key (the container suite builds its configs the same way). */
export function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' && !Array.isArray(cur)
        ? deepMerge(cur as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

const sh = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Strings that must never appear in clawfix's output: the gateway token, device tokens, the private key body. */
export function secretsOf(gw: RealGateway): string[] {
  const out = [gw.token];
  for (const t of gw.deviceTokens()) out.push(t);
  const pem = gw.identityPrivateKeyPem();
  if (pem) out.push(pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''));
  return out.filter((s) => s.length >= 16);
}

export class RealGateway {
  readonly root: string;
  readonly home: string;
  readonly stateDir: string;
  readonly tmp: string;
  readonly svcDir: string;
  readonly binDir: string;
  readonly configPath: string;
  readonly logFile: string;
  readonly token = crypto.randomBytes(24).toString('hex');
  port = 0;
  private clawfixRuns = 0;
  private exitHandler?: () => void;
  /** Sizes of the files in the shared default log dirs before this gateway first started. */
  private sharedLogOffsets = new Map<string, number>();

  /**
   * mode 'service': `openclaw` on PATH is the stand-in service manager (service.mjs) and the gateway is
   * its service. mode 'foreground': `openclaw` on PATH is the REAL CLI (a symlink to the package's
   * openclaw.mjs, like npm's global shim) and the gateway is a plain `openclaw gateway run` that no
   * service manager owns (a terminal, tmux, a container's main process); it still carries the marker
   * in its environment, so cleanup finds it and whatever clawfix relaunches from it.
   */
  constructor(
    readonly vc: VersionCase,
    readonly pkgDir: string,
    readonly mode: 'service' | 'foreground' = 'service',
  ) {
    const runRoot = process.env.CLAWFIX_E2E_RUN_ROOT;
    if (!runRoot) throw new Error('CLAWFIX_E2E_RUN_ROOT is not set: run through `npm run test:real`');
    this.root = path.join(runRoot, `openclaw-${vc.version}${mode === 'foreground' ? '-foreground' : ''}`);
    this.home = path.join(this.root, 'home');
    this.stateDir = path.join(this.root, 'state');
    this.tmp = path.join(this.root, 'tmp');
    this.svcDir = path.join(this.root, 'service');
    this.binDir = path.join(this.root, 'bin');
    this.configPath = path.join(this.stateDir, 'openclaw.json');
    this.logFile = path.join(this.root, 'logs', 'openclaw.log');
  }

  /**
   * OpenClaw's default log dirs outside the run dir: the POSIX `/tmp/openclaw` that
   * resolvePreferredOpenClawTmpDir prefers whenever it is usable (it ignores TMPDIR), and the
   * fallback `os.tmpdir()/openclaw-<uid>` (here inside the private TMPDIR).
   */
  defaultLogDirs(): string[] {
    const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
    return ['/tmp/openclaw', path.join(this.tmp, uid === undefined ? 'openclaw' : `openclaw-${uid}`)];
  }

  /** Environment shared by the gateway, the CLI, clawfix and the client: isolated and offline-friendly. */
  baseEnv(): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) {
      // Not jest's NODE_ENV=test / JEST_WORKER_ID either: OpenClaw takes test code paths on NODE_ENV=test
      // or VITEST (no gateway lock file, sub-agent state under os.tmpdir()/openclaw-test-state).
      if (v !== undefined && !/^(OPENCLAW_|CLAWDBOT_|CLAWFIX_|NODE_OPTIONS$|NODE_ENV$|JEST_WORKER_ID$|VITEST|FORCE_COLOR$|NO_COLOR$|CI$|npm_)/.test(k)) env[k] = v;
    }
    return {
      ...env,
      PATH: [this.binDir, path.dirname(NODE), process.env.PATH ?? ''].join(path.delimiter),
      HOME: this.home,
      OPENCLAW_STATE_DIR: this.stateDir,
      TMPDIR: this.tmp,
      NO_COLOR: '1',
    };
  }

  async setup(): Promise<void> {
    for (const d of [this.home, this.stateDir, this.tmp, this.svcDir, this.binDir, path.dirname(this.logFile)]) fs.mkdirSync(d, { recursive: true, mode: 0o700 });
    // A version that ignores logging.file appends to a shared rolling file: only what follows is ours.
    for (const dir of this.defaultLogDirs()) {
      try {
        for (const name of fs.readdirSync(dir)) if (name.endsWith('.log')) this.sharedLogOffsets.set(path.join(dir, name), fs.statSync(path.join(dir, name)).size);
      } catch {
        /* not there yet */
      }
    }
    // Offline npm: 4.x–6.x install bundled plugins' npm dependencies on first use with a SYNCHRONOUS
    // `npm install` from PATH (the event loop stalls ~100 s while an offline npm gives up, once per
    // plugin). This `npm` fails at once, as an unreachable registry eventually does.
    fs.writeFileSync(path.join(this.binDir, 'npm'), `#!/bin/sh\necho "npm: offline (clawfix end-to-end harness): npm $*" >&2\nexit 1\n`, { mode: 0o755 });
    this.port = await freePort();
    const config = deepMerge(
      {
        gateway: { mode: 'local', bind: 'loopback', port: this.port, auth: { mode: 'token', token: this.token } },
        update: { checkOnStart: false },
        logging: { file: this.logFile },
      },
      this.vc.config,
    );
    fs.writeFileSync(this.configPath, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
    // The service definition: a fixed environment, like a systemd unit's Environment= lines.
    const service = { node: NODE, pkgDir: this.pkgDir, preload: PRELOAD, env: this.gatewayEnv() };
    fs.writeFileSync(path.join(this.svcDir, 'service.json'), JSON.stringify(service, null, 2), { mode: 0o600 });
    const launcher = path.join(this.binDir, 'openclaw');
    if (this.mode === 'foreground') {
      fs.symlinkSync(path.join(this.pkgDir, 'openclaw.mjs'), launcher);
    } else {
      fs.writeFileSync(
        launcher,
        `#!/bin/sh\n# clawfix e2e: openclaw ${this.vc.version} behind a stand-in service manager (test/real/service.mjs)\n` +
          `CLAWFIX_E2E_SERVICE_DIR=${sh(this.svcDir)} exec ${sh(NODE)} ${sh(path.join(HERE, 'service.mjs'))} "$@"\n`,
        { mode: 0o755 },
      );
    }
    // Last-resort cleanup if the test process dies without afterAll (by pid, this service's only).
    this.exitHandler = () => killRecordedSync(this.svcDir);
    process.on('exit', this.exitHandler);
  }

  /**
   * The gateway's own environment: isolated, offline, marked as this run's; channels, mDNS, the Gmail
   * watcher, the browser control server and the canvas host skipped (every version 2.21–9.6 knows these
   * switches), and whatever this version needs on top.
   */
  gatewayEnv(): Record<string, string> {
    return {
      ...this.offlineEnv(),
      OPENCLAW_SKIP_CHANNELS: '1',
      OPENCLAW_DISABLE_BONJOUR: '1',
      OPENCLAW_SKIP_GMAIL_WATCHER: '1',
      OPENCLAW_SKIP_BROWSER_CONTROL_SERVER: '1',
      OPENCLAW_SKIP_CANVAS_HOST: '1',
      npm_config_offline: 'true',
      // ≥ 4.x prepend /usr/bin:/bin to PATH at start ("PATH bootstrap"), which would put the system npm
      // before the harness's offline one; every version 2.21–9.6 skips that when this is set.
      OPENCLAW_PATH_BOOTSTRAPPED: '1',
      ...(this.vc.env ?? {}),
      CLAWFIX_E2E_SERVICE_DIR: this.svcDir,
    };
  }

  /** baseEnv plus the DNS preload, for every process that runs OpenClaw's code. */
  offlineEnv(): Record<string, string> {
    return { ...this.baseEnv(), NODE_OPTIONS: `--require ${JSON.stringify(PRELOAD)}`, CLAWFIX_E2E_DNS_LOG: path.join(this.svcDir, 'dns-refused.log') };
  }

  /** Run the `openclaw` on PATH (the wrapper, or the real CLI in foreground mode), offline. */
  openclaw(args: string[], timeoutMs = 180_000): Promise<RunResult> {
    return runProcess(path.join(this.binDir, 'openclaw'), args, { env: this.offlineEnv(), timeoutMs, cwd: this.home });
  }

  /** Run the BUILT clawfix (CLAWFIX_BIN: the installed package in CI, else bin/clawfix.js) against this gateway, `openclaw` found on PATH. */
  async clawfix(args: string[], env: Record<string, string> = {}, timeoutMs = 300_000): Promise<RunResult> {
    // Foreground mode: clawfix runs the real CLI with its own environment, so keep that offline too.
    const base = this.mode === 'foreground' ? this.offlineEnv() : this.baseEnv();
    const r = await runProcess(NODE, [CLAWFIX_BIN, ...args], {
      env: { ...base, CLAWFIX_START_TIMEOUT_MS: '120000', CLAWFIX_STOP_TIMEOUT_MS: '60000', ...env },
      timeoutMs,
      cwd: REPO_ROOT,
    });
    // Kept with the run dir (a failed run is kept for inspection).
    const n = String(++this.clawfixRuns).padStart(2, '0');
    fs.writeFileSync(
      path.join(this.root, `clawfix-${n}-${args.filter((a) => !a.startsWith('-')).join('-')}.log`),
      `$ clawfix ${args.join(' ')}  ${JSON.stringify(env)}\nexit ${r.code} in ${r.durationMs} ms\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}\n`,
    );
    return r;
  }

  /** /healthz answering {ok:true} (≥ 3.x); on 2.x, which serves its Control UI at every path, any HTTP 200. */
  isUp(): Promise<boolean> {
    if (this.vc.ready === 'healthz') return healthz(this.port, 1500);
    return new Promise((resolve) => {
      const req = http.get({ host: '127.0.0.1', port: this.port, path: '/healthz', timeout: 1500, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(false));
    });
  }

  /**
   * "The gateway is serving": /healthz answers within 30 s. Polled because a real gateway that just came
   * up can be too busy for a single probe for a moment (9.x starts its channels and sidecars then).
   */
  async serving(timeoutMs = 30_000): Promise<boolean> {
    try {
      return await waitFor(() => this.isUp(), { timeoutMs, intervalMs: 250, what: 'gateway /healthz' });
    } catch {
      return false;
    }
  }

  /**
   * Start through the wrapper (service mode) or as a detached `openclaw gateway run` (foreground mode);
   * wait until /healthz answers (up to 120 s); returns the time it took.
   */
  async start(): Promise<number> {
    const t0 = Date.now();
    if (this.mode === 'foreground') {
      const out = fs.openSync(path.join(this.svcDir, 'console.log'), 'a');
      const child = spawn(path.join(this.binDir, 'openclaw'), ['gateway', 'run'], { cwd: this.home, env: this.gatewayEnv(), detached: true, stdio: ['ignore', out, out] });
      fs.closeSync(out);
      if (child.pid) fs.appendFileSync(path.join(this.svcDir, 'pids.log'), `${child.pid}\n`);
      child.unref();
    } else {
      const r = await this.openclaw(['gateway', 'start']);
      if (r.code !== 0) throw new Error(`openclaw gateway start failed (${r.code}):\n${r.stdout}\n${r.stderr}${this.tails()}`);
    }
    try {
      await waitFor(() => this.isUp(), { timeoutMs: 120_000, intervalMs: 250, what: `openclaw ${this.vc.version} gateway on 127.0.0.1:${this.port}/healthz` });
    } catch (err) {
      throw new Error(`${(err as Error).message}${this.tails()}`);
    }
    return Date.now() - t0;
  }

  async stop(): Promise<void> {
    await this.openclaw(['gateway', 'stop']);
  }

  /** The running gateway's pid: the wrapper's pid file, or (foreground) the marked `openclaw-gateway` process. */
  gatewayPid(): number | undefined {
    if (this.mode === 'foreground') {
      return livePids(this.svcDir).find((pid) => {
        try {
          return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('openclaw-gateway');
        } catch {
          return false;
        }
      });
    }
    try {
      return Number(fs.readFileSync(path.join(this.svcDir, 'gateway.pid'), 'utf8').trim()) || undefined;
    } catch {
      return undefined;
    }
  }

  /** Service-manager calls clawfix (or the test) made, in order: e.g. ["gateway stop", "gateway start"]. */
  serviceCalls(): string[] {
    try {
      return fs
        .readFileSync(path.join(this.svcDir, 'calls.log'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => l.replace(/^\S+ /, ''));
    } catch {
      return [];
    }
  }

  /** Stop the gateway and every process this gateway's service started (by pid). Never throws. */
  async cleanup(): Promise<void> {
    if (this.mode === 'service') {
      try {
        await this.openclaw(['gateway', 'stop'], 90_000);
      } catch {
        /* fall through to the pid sweep */
      }
    }
    await killRecorded(this.svcDir);
    if (this.exitHandler) process.removeListener('exit', this.exitHandler);
  }

  /**
   * One connection through the package's own GatewayClient, then one RPC (default `health`): with this
   * state dir's identity, or (`device: name`) with another device's own identity and state dir.
   */
  async client(scopes: string[], opts: ClientOptions = {}): Promise<ClientResult> {
    const shape = opts.shape ?? this.vc.client;
    const own = opts.device ? path.join(this.root, 'devices', opts.device) : undefined;
    if (own) fs.mkdirSync(path.join(own, 'state'), { recursive: true, mode: 0o700 });
    const env = {
      ...this.offlineEnv(),
      ...(own ? { HOME: own, OPENCLAW_STATE_DIR: path.join(own, 'state'), E2E_IDENTITY_FILE: path.join(own, 'identity.json') } : {}),
      E2E_TOKEN: this.token,
      E2E_CLIENT: shape.id,
      E2E_MODE: shape.mode,
      ...(opts.call ? { E2E_PARAMS: JSON.stringify(opts.call.params) } : {}),
      ...(opts.noIdentity ? { E2E_NO_IDENTITY: '1' } : {}),
      ...(opts.env ?? {}),
    };
    const r = await runProcess(NODE, [path.join(HERE, 'client.mjs'), this.pkgDir, String(this.port), this.vc.store, scopes.join(','), ...(opts.call ? [opts.call.method] : [])], {
      env,
      timeoutMs: 120_000,
      cwd: own ?? this.home,
    });
    const line = r.stdout.trim().split('\n').pop() ?? '';
    try {
      return JSON.parse(line) as ClientResult;
    } catch {
      throw new Error(`client.mjs gave no result (exit ${r.code}):\n${r.stdout}\n${r.stderr}${this.tails()}`);
    }
  }

  /**
   * The REAL sub-agent spawn: a chat operator (a device of its own, paired read+write on first use)
   * sends `/subagents spawn main say hi` through chat.send; the gateway spawns with the state dir's own
   * identity and answers with the command's reply (see spawn.mjs).
   */
  async spawnSubagent(): Promise<SpawnResult> {
    const dir = path.join(this.root, 'chat-operator');
    fs.mkdirSync(path.join(dir, 'state'), { recursive: true, mode: 0o700 });
    const env = { ...this.offlineEnv(), HOME: dir, OPENCLAW_STATE_DIR: path.join(dir, 'state'), E2E_TOKEN: this.token, E2E_DRIVER_DIR: dir };
    const r = await runProcess(NODE, [path.join(HERE, 'spawn.mjs'), this.pkgDir, String(this.port)], { env, timeoutMs: 200_000, cwd: dir });
    const line = r.stdout.trim().split('\n').pop() ?? '';
    try {
      const out = JSON.parse(line) as SpawnResult;
      fs.appendFileSync(path.join(this.root, 'spawns.log'), `${new Date().toISOString()} ${line}\n`);
      return out;
    } catch {
      throw new Error(`spawn.mjs gave no result (exit ${r.code}):\n${r.stdout}\n${r.stderr}${this.tails()}`);
    }
  }

  /** Pending pairing requests for a device, as stored (JSON devices/pending.json or the SQLite table). */
  async pendingFor(deviceId: string): Promise<{ requestId: string; scopes: string[]; clientId?: string; clientMode?: string; isRepair?: boolean; silent?: boolean; ts?: number }[]> {
    if (this.vc.store === 'json') {
      let pending: Record<string, { requestId: string; deviceId: string; scopes?: string[]; clientId?: string; clientMode?: string; isRepair?: boolean; silent?: boolean; ts?: number }> = {};
      try {
        pending = JSON.parse(fs.readFileSync(path.join(this.stateDir, 'devices', 'pending.json'), 'utf8'));
      } catch {
        return [];
      }
      return Object.values(pending)
        .filter((p) => p.deviceId === deviceId)
        .map((p) => ({ requestId: p.requestId, scopes: [...(p.scopes ?? [])].sort(), clientId: p.clientId, clientMode: p.clientMode, isRepair: p.isRepair, silent: p.silent, ts: p.ts }));
    }
    const rows = await this.sqliteRows(`SELECT request_id, scopes_json, client_id, client_mode, is_repair, silent, ts FROM device_pairing_pending WHERE device_id = '${deviceId.replace(/'/g, '')}' ORDER BY ts`);
    return rows.map((r) => ({
      requestId: String(r.request_id),
      scopes: [...(JSON.parse(String(r.scopes_json ?? '[]')) as string[])].sort(),
      clientId: r.client_id == null ? undefined : String(r.client_id),
      clientMode: r.client_mode == null ? undefined : String(r.client_mode),
      isRepair: r.is_repair == null ? undefined : Boolean(r.is_repair),
      silent: r.silent == null ? undefined : Boolean(r.silent),
      ts: r.ts == null ? undefined : Number(r.ts),
    }));
  }

  /** The paired record's descriptive fields (no key, no tokens): who the gateway thinks the device is. */
  async pairedInfo(deviceId: string): Promise<{ clientId?: string; clientMode?: string; displayName?: string; scopes: string[]; approvedScopes?: string[]; tokenScopes?: string[] } | undefined> {
    if (this.vc.store === 'json') {
      const paired = JSON.parse(fs.readFileSync(path.join(this.stateDir, 'devices', 'paired.json'), 'utf8')) as Record<string, { clientId?: string; clientMode?: string; displayName?: string; scopes?: string[]; approvedScopes?: string[]; tokens?: Record<string, { scopes?: string[] }> }>;
      const d = paired[deviceId];
      if (!d) return undefined;
      return { clientId: d.clientId, clientMode: d.clientMode, displayName: d.displayName, scopes: [...(d.scopes ?? [])].sort(), approvedScopes: d.approvedScopes ? [...d.approvedScopes].sort() : undefined, tokenScopes: d.tokens?.operator?.scopes ? [...d.tokens.operator.scopes].sort() : undefined };
    }
    const r = (await this.sqliteRows(`SELECT client_id, client_mode, display_name, scopes_json, approved_scopes_json, tokens_json FROM device_pairing_paired WHERE device_id = '${deviceId.replace(/'/g, '')}'`))[0];
    if (!r) return undefined;
    const tokens = JSON.parse(String(r.tokens_json ?? '{}')) as Record<string, { scopes?: string[] }>;
    return {
      clientId: r.client_id == null ? undefined : String(r.client_id),
      clientMode: r.client_mode == null ? undefined : String(r.client_mode),
      displayName: r.display_name == null ? undefined : String(r.display_name),
      scopes: [...(JSON.parse(String(r.scopes_json ?? '[]')) as string[])].sort(),
      approvedScopes: r.approved_scopes_json == null ? undefined : [...(JSON.parse(String(r.approved_scopes_json)) as string[])].sort(),
      tokenScopes: tokens.operator?.scopes ? [...tokens.operator.scopes].sort() : undefined,
    };
  }

  /** Gateway lock files naming this config, wherever this version puts them. */
  lockFiles(): string[] {
    const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
    const dirs = [path.join(this.tmp, `openclaw-${uid}`), path.join(this.stateDir, 'tmp', `openclaw-${uid}`), `/tmp/openclaw-${uid}`, '/tmp/openclaw', this.tmp];
    const out: string[] = [];
    for (const d of dirs) {
      try {
        for (const name of fs.readdirSync(d)) {
          if (!/^gateway\..*\.lock$/.test(name)) continue;
          const f = path.join(d, name);
          try {
            if (fs.readFileSync(f, 'utf8').includes(this.configPath)) out.push(f);
          } catch {
            /* raced */
          }
        }
      } catch {
        /* no such dir */
      }
    }
    return out;
  }

  /** Facts about how this version runs (start lines, log files, lock): recorded for the end-of-run report. */
  async recordStartFacts(): Promise<void> {
    // The lock may be written a moment after the gateway answers.
    // The lock and the `log file:` line may come a moment after the gateway answers (9.6: ~15 s).
    await waitFor(() => this.lockFiles().length > 0 && this.announcedLogFiles().length > 0, { timeoutMs: 30_000, intervalMs: 200 }).catch(() => undefined);
    let consoleText = '';
    try {
      consoleText = fs.readFileSync(path.join(this.svcDir, 'console.log'), 'utf8').replace(/\x1b\[[0-9;]*m/g, '');
    } catch {
      /* none */
    }
    const startLines = consoleText
      .split('\n')
      .filter((l) => /\[gateway\] (listening on|ready|log file:|http server listening)/.test(l))
      .map((l) => l.replace(/^\S+ /, '').replace(String(this.port), '<port>').replace(this.root, '<run>'));
    const announced = this.announcedLogFiles();
    recordTiming({
      kind: 'fact',
      version: this.vc.version,
      name: 'start',
      text:
        `log file ${announced.map((f) => f.replace(this.root, '<run>')).join(', ') || '(not announced)'}` +
        ` — logging.file ${announced.includes(this.logFile) || fs.existsSync(this.logFile) ? 'honoured' : 'IGNORED'}` +
        `; lock ${this.lockFiles().map((f) => f.replace(this.root, '<run>')).join(', ') || '(none found)'}` +
        `; start lines: ${[...new Set(startLines)].join(' | ')}`,
    });
  }

  fact(name: string, text: string): void {
    recordTiming({ kind: 'fact', version: this.vc.version, name, text });
  }

  /** The log files this gateway announced at start (`[gateway] log file: …` on its console). */
  announcedLogFiles(): string[] {
    let text = '';
    try {
      text = fs.readFileSync(path.join(this.svcDir, 'console.log'), 'utf8');
    } catch {
      return [];
    }
    return [...new Set([...text.matchAll(/\[gateway\] log file: (\S+)/g)].map((m) => m[1]!))];
  }

  /**
   * Where this gateway's log lines are: the configured logging.file and every file it announced
   * (2026.4.21 ignores logging.file and appends to the shared `/tmp/openclaw/openclaw-<date>.log`:
   * only the bytes after this gateway's setup count, and lines carry this run's device ids).
   */
  logSources(): LogSource[] {
    const files = [this.logFile, ...this.announcedLogFiles()];
    return [...new Set(files)].map((file) => ({ file, from: file === this.logFile ? 0 : (this.sharedLogOffsets.get(file) ?? 0) }));
  }

  logText(): string {
    let out = '';
    for (const { file, from } of this.logSources()) {
      try {
        const fd = fs.openSync(file, 'r');
        try {
          const size = fs.fstatSync(fd).size;
          if (size <= from) continue;
          const buf = Buffer.alloc(size - from);
          fs.readSync(fd, buf, 0, buf.length, from);
          out += buf.toString('utf8');
          if (!out.endsWith('\n')) out += '\n';
        } finally {
          fs.closeSync(fd);
        }
      } catch {
        /* not written (yet) */
      }
    }
    return out;
  }

  /** The gateway's text lines (JSONL file: the message is in "1"/"2"/message). */
  logMessages(): string[] {
    const out: string[] = [];
    for (const line of this.logText().split('\n')) {
      if (!line.trim()) continue;
      try {
        const o = JSON.parse(line) as Record<string, unknown>;
        const msg = [o['2'], o['1'], o['0'], o.message].find((v) => typeof v === 'string' && !String(v).startsWith('{"subsystem"'));
        out.push(String(msg ?? line));
      } catch {
        out.push(line);
      }
    }
    return out;
  }

  /** Last lines of the gateway log, its console and the service calls, for failure messages. */
  tails(n = 40): string {
    const tail = (f: string) => {
      try {
        return fs.readFileSync(f, 'utf8').replace(/\x1b\[[0-9;]*m/g, '').trimEnd().split('\n').slice(-n).join('\n');
      } catch {
        return '(none)';
      }
    };
    const redact = (s: string) => s.split(this.token).join('‹gateway-token›');
    return redact(
      `\n--- gateway log (${this.logSources().map((x) => x.file).join(', ')}), last ${n} messages ---\n${this.logMessages().slice(-n).join('\n') || '(empty)'}` +
        `\n--- gateway console (${path.join(this.svcDir, 'console.log')}) ---\n${tail(path.join(this.svcDir, 'console.log'))}` +
        `\n--- service calls ---\n${this.serviceCalls().join('\n') || '(none)'}\n`,
    );
  }

  /** Marks this version's run dir as failed (kept for inspection) and re-throws with the log tails. */
  async explain<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      fs.writeFileSync(path.join(this.root, 'FAILED'), `${what}\n`);
      const e = err as Error;
      e.message = `${what}: ${e.message}${this.tails()}`;
      throw e;
    }
  }

  timing(name: string, ms: number): void {
    recordTiming({ kind: 'phase', version: this.vc.version, name, ms });
  }

  // ---- the store, read directly --------------------------------------------------------------

  private sqlitePath(): string {
    return path.join(this.stateDir, 'state', 'openclaw.sqlite');
  }

  private async sqliteRows(sql: string): Promise<Record<string, unknown>[]> {
    const { DatabaseSync } = await import('node:sqlite');
    const db = new DatabaseSync(this.sqlitePath(), { readOnly: true });
    try {
      return db.prepare(sql).all() as Record<string, unknown>[];
    } finally {
      db.close();
    }
  }

  /** Approved scopes of a paired device as the gateway decides (approvedScopes ?? scopes). */
  async approvedScopes(deviceId: string): Promise<string[] | undefined> {
    if (this.vc.store === 'json') {
      const paired = JSON.parse(fs.readFileSync(path.join(this.stateDir, 'devices', 'paired.json'), 'utf8')) as Record<string, { approvedScopes?: string[]; scopes?: string[] }>;
      const d = paired[deviceId];
      return d ? [...(d.approvedScopes ?? d.scopes ?? [])].sort() : undefined;
    }
    const rows = await this.sqliteRows(`SELECT approved_scopes_json, scopes_json FROM device_pairing_paired WHERE device_id = '${deviceId.replace(/'/g, '')}'`);
    const r = rows[0];
    if (!r) return undefined;
    return [...(JSON.parse(String(r.approved_scopes_json ?? r.scopes_json ?? '[]')) as string[])].sort();
  }

  /**
   * Everything a repair may touch, for "byte-identical after rollback": JSON — the bytes and modes of
   * every file under devices/ and identity/; SQLite — every row of the pairing and device-token tables.
   */
  async storeImage(): Promise<string> {
    if (this.vc.store === 'json') {
      const out: string[] = [];
      for (const sub of ['devices', 'identity']) {
        const dir = path.join(this.stateDir, sub);
        if (!fs.existsSync(dir)) continue;
        for (const name of fs.readdirSync(dir).sort()) {
          const p = path.join(dir, name);
          const st = fs.statSync(p);
          if (!st.isFile()) continue;
          out.push(`${sub}/${name} mode=${(st.mode & 0o777).toString(8)} sha256=${crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex')}`);
        }
      }
      return out.join('\n');
    }
    const out: string[] = [];
    for (const t of ['device_pairing_paired', 'device_pairing_pending', 'device_auth_tokens']) {
      const rows = await this.sqliteRows(`SELECT * FROM ${t} ORDER BY 1, 2`);
      out.push(`${t}: ${JSON.stringify(rows)}`);
    }
    return out.join('\n');
  }

  deviceTokens(): string[] {
    const tokens: string[] = [];
    const scan = (text: string) => {
      for (const m of text.matchAll(/"token"\s*:\s*"([^"]{16,})"/g)) tokens.push(m[1]!);
    };
    for (const f of ['devices/paired.json', 'identity/device-auth.json']) {
      try {
        scan(fs.readFileSync(path.join(this.stateDir, f), 'utf8'));
      } catch {
        /* not this era */
      }
    }
    return tokens;
  }

  identityPrivateKeyPem(): string | undefined {
    try {
      return (JSON.parse(fs.readFileSync(path.join(this.stateDir, 'identity', 'device.json'), 'utf8')) as { privateKeyPem?: string }).privateKeyPem;
    } catch {
      return undefined;
    }
  }

  /** SQLite-era secrets (tokens in rows, the identity's private key), read directly. */
  async sqliteSecrets(): Promise<string[]> {
    if (this.vc.store !== 'sqlite') return [];
    const out: string[] = [];
    for (const r of await this.sqliteRows('SELECT tokens_json FROM device_pairing_paired')) {
      for (const t of Object.values(JSON.parse(String(r.tokens_json ?? '{}')) as Record<string, { token?: string }>)) if (t.token) out.push(t.token);
    }
    for (const r of await this.sqliteRows('SELECT token FROM device_auth_tokens')) out.push(String(r.token));
    for (const r of await this.sqliteRows('SELECT private_key_pem FROM device_identities')) {
      out.push(String(r.private_key_pem).replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''));
    }
    return out;
  }
}

/** Wait for a log message matching `re` (the gateway writes its file asynchronously). */
export async function waitForLog(gw: RealGateway, re: RegExp, timeoutMs = 15_000): Promise<string> {
  return waitFor(() => gw.logMessages().find((m) => re.test(m)), { timeoutMs, intervalMs: 100, what: `gateway log line ${re}` });
}

/** Wait for a raw log file line (a JSON object, structured meta included) that matches every pattern. */
export async function waitForRawLog(gw: RealGateway, res: RegExp[], timeoutMs = 15_000): Promise<string> {
  return waitFor(() => gw.logText().split('\n').find((l) => res.every((re) => re.test(l))), { timeoutMs, intervalMs: 100, what: `gateway log line matching ${res.join(' and ')}` });
}
