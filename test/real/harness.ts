/**
 * One isolated REAL OpenClaw gateway for the end-to-end tests: its own temp HOME, state dir, TMPDIR,
 * loopback port and random shared token; offline (DNS preload); run by the service wrapper
 * (service.mjs) that stands in for systemd, first on PATH as `openclaw` for clawfix and for the tests.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLAWFIX_BIN, REPO_ROOT, runProcess, type RunResult } from '../helpers/cli.js';
import { healthz, waitFor } from '../helpers/wait.js';
import { killRecorded, killRecordedSync, livePids } from './processes.mjs';
import { recordTiming } from './timings.mjs';

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

export interface VersionCase {
  version: string;
  store: 'json' | 'sqlite';
  /** How the test client presents itself (see the test file for why they differ). */
  client: { id: string; mode: string };
  /** Config keys only this version knows (unknown keys make OpenClaw refuse to start). */
  config: Record<string, unknown>;
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

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
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

  /** Environment shared by the gateway, the CLI, clawfix and the client: isolated and offline-friendly. */
  baseEnv(): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (v !== undefined && !/^(OPENCLAW_|CLAWDBOT_|CLAWFIX_|NODE_OPTIONS$|FORCE_COLOR$|NO_COLOR$|CI$|npm_)/.test(k)) env[k] = v;
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

  /** The gateway's own environment: isolated, channels skipped, offline, marked as this run's. */
  gatewayEnv(): Record<string, string> {
    return { ...this.offlineEnv(), OPENCLAW_SKIP_CHANNELS: '1', CLAWFIX_E2E_SERVICE_DIR: this.svcDir };
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

  isUp(): Promise<boolean> {
    return healthz(this.port, 1500);
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

  /** One connection through the package's own GatewayClient with this state dir's identity. */
  async client(scopes: string[], shape: { id: string; mode: string } = this.vc.client, extraEnv: Record<string, string> = {}): Promise<ClientResult> {
    const env = { ...this.offlineEnv(), E2E_TOKEN: this.token, E2E_CLIENT: shape.id, E2E_MODE: shape.mode, ...extraEnv };
    const r = await runProcess(NODE, [path.join(HERE, 'client.mjs'), this.pkgDir, String(this.port), this.vc.store, scopes.join(',')], {
      env,
      timeoutMs: 60_000,
      cwd: this.home,
    });
    const line = r.stdout.trim().split('\n').pop() ?? '';
    try {
      return JSON.parse(line) as ClientResult;
    } catch {
      throw new Error(`client.mjs gave no result (exit ${r.code}):\n${r.stdout}\n${r.stderr}${this.tails()}`);
    }
  }

  logText(): string {
    try {
      return fs.readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
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
      `\n--- gateway log (${this.logFile}), last ${n} messages ---\n${this.logMessages().slice(-n).join('\n') || '(empty)'}` +
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
