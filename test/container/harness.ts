/**
 * One REAL OpenClaw gateway in a REAL container, the way the official docker-compose setup runs it:
 * the gateway is the container's main process (`--init`, like compose's `init: true`), the state dir is
 * a host directory owned by uid 1000 bind-mounted at /home/node/.openclaw, the image runs as `node`
 * (uid 1000), host network, offline (the DNS preload baked into the image, through NODE_OPTIONS).
 *
 * The refused client is the stand-in client of the real-gateway suite (test/real/client.mjs), run as a
 * sibling container on the same state dir and network — what compose's `openclaw-cli` service is —
 * so it runs as uid 1000 and the files it writes keep the state's owner.
 *
 * clawfix runs on the HOST as root with no `openclaw` on PATH (a compose user has none there), against
 * the host path of the state dir, with the runtime's configuration in its environment.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLAWFIX_BIN, REPO_ROOT, runProcess, type RunResult } from '../helpers/cli.js';
import { healthz, waitFor } from '../helpers/wait.js';
import { freePort } from '../helpers/fixtures.js';
import { deepMerge, type ClientResult } from '../real/harness.js';
import { podman, runtimeEnv } from './runtime.mjs';
import { recordTiming } from '../real/timings.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CLIENT_DIR = path.resolve(HERE, '..', 'real');
/** The clawfix under test (CLAWFIX_BIN's package: the installed one in CI, else this checkout), mounted read-only for the runs INSIDE a container. */
const CLAWFIX_PKG = path.resolve(path.dirname(fs.realpathSync(CLAWFIX_BIN)), '..');
const NODE = process.execPath;
export const OWNER = 1000;
export const LABEL = 'clawfix-e2e-run';

/** One OpenClaw version in a container: its store, the refused client's shape, the config keys it needs. */
export interface ContainerCase {
  version: string;
  store: 'json' | 'sqlite';
  /** How the stand-in client (test/real/client.mjs) presents itself when it asks for more scopes. */
  client: { id: string; mode: string };
  /** Config keys only this version knows (unknown keys make OpenClaw refuse to start). */
  config: Record<string, unknown>;
}

export function runId(): string {
  const id = process.env.CLAWFIX_CT_RUN_ID;
  if (!id) throw new Error('CLAWFIX_CT_RUN_ID is not set: run through `npm run test:container`');
  return id;
}

export function imageOf(version: string): string | undefined {
  return (JSON.parse(process.env.CLAWFIX_CT_IMAGES || '{}') as Record<string, string>)[version];
}

/** Skip reason when the global setup did not provide this version, else undefined. */
export function unavailable(version: string): string | undefined {
  if (process.env.CLAWFIX_CT_SKIPPED) return process.env.CLAWFIX_CT_SKIPPED;
  return imageOf(version) ? undefined : `no image for openclaw@${version} in this run (CLAWFIX_CT_VERSIONS)`;
}

export interface ContainerState {
  id: string;
  status: string;
  pid: number;
  startedAt: string;
  exitCode: number;
}

export class ContainerGateway {
  readonly root: string;
  readonly stateDir: string;
  readonly home: string;
  name: string;
  readonly image: string;
  readonly token = crypto.randomBytes(24).toString('hex');
  port = 0;
  private runs = 0;

  constructor(
    readonly vc: ContainerCase,
    readonly tag: string = 'podman',
  ) {
    const image = imageOf(vc.version);
    if (!image) throw new Error(`no image for openclaw@${vc.version}`);
    this.image = image;
    const runRoot = process.env.CLAWFIX_E2E_RUN_ROOT;
    if (!runRoot) throw new Error('CLAWFIX_E2E_RUN_ROOT is not set: run through `npm run test:container`');
    this.root = path.join(runRoot, `openclaw-${vc.version}-${tag}`);
    this.home = path.join(this.root, 'home');
    // The host side of the bind mount: what `~/.openclaw` of a uid-1000 user is.
    this.stateDir = path.join(this.root, 'home', '.openclaw');
    this.name = `clawfix-e2e-${vc.version.replace(/\./g, '-')}-${tag}-${runId().slice(0, 6)}`;
  }

  /** The host state dir (owned by uid 1000, 0700) with its config (0600): what OpenClaw's own setup leaves. */
  async setup(): Promise<void> {
    fs.mkdirSync(this.stateDir, { recursive: true, mode: 0o700 });
    this.port = await freePort();
    const config = deepMerge(
      {
        gateway: { mode: 'local', bind: 'loopback', port: this.port, auth: { mode: 'token', token: this.token } },
        update: { checkOnStart: false },
      },
      this.vc.config,
    );
    const cfg = path.join(this.stateDir, 'openclaw.json');
    fs.writeFileSync(cfg, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
    for (const p of [this.home, this.stateDir, cfg]) fs.chownSync(p, OWNER, OWNER);
  }

  /** `podman run` arguments of the gateway container (also the shape of the compose service). */
  runArgs(): string[] {
    return [
      'run',
      '-d',
      '--name',
      this.name,
      '--label',
      `${LABEL}=${runId()}`,
      '--network',
      'host',
      '--init',
      '-v',
      `${this.stateDir}:/home/node/.openclaw`,
      // The clawfix under test, read-only, so a test can run it INSIDE the container (`podman exec … node /opt/clawfix/bin/clawfix.js`).
      '-v',
      `${CLAWFIX_PKG}:/opt/clawfix:ro`,
      ...this.containerEnvArgs(),
      this.image,
      'openclaw',
      'gateway',
      'run',
    ];
  }

  containerEnvArgs(): string[] {
    return ['-e', 'OPENCLAW_SKIP_CHANNELS=1', '-e', 'NODE_OPTIONS=--require /opt/clawfix-e2e/offline.cjs'];
  }

  /** Create and start the container; wait for /healthz (up to 240 s: a cold start on a busy machine). */
  async start(): Promise<number> {
    const t0 = Date.now();
    const r = await podman(this.runArgs());
    if (r.code !== 0) throw new Error(`podman run failed (exit ${r.code}): ${r.stderr}`);
    await this.waitHealthy(240_000);
    await this.waitReady();
    return Date.now() - t0;
  }

  /**
   * After /healthz, a real gateway still starts its channels and sidecars (9.x: many seconds on a busy
   * machine) and may time out a WebSocket handshake meanwhile: wait for its `[gateway] ready` line.
   */
  async waitReady(timeoutMs = 120_000): Promise<void> {
    await waitFor(
      async () => {
        const r = await podman(['logs', this.name]);
        return /\[gateway\] ready/.test(`${r.stdout}${r.stderr}`.replace(/\x1b\[[0-9;]*m/g, ''));
      },
      { timeoutMs, intervalMs: 500, what: `"[gateway] ready" in the console of ${this.name}` },
    );
  }

  async waitHealthy(timeoutMs = 120_000): Promise<void> {
    try {
      await waitFor(() => healthz(this.port, 1500), { timeoutMs, intervalMs: 250, what: `openclaw ${this.vc.version} in container ${this.name} on 127.0.0.1:${this.port}/healthz` });
    } catch (err) {
      throw new Error(`${(err as Error).message}${await this.tails()}`);
    }
  }

  async state(): Promise<ContainerState | undefined> {
    const r = await podman(['inspect', '--format', '{{.Id}} {{.State.Status}} {{.State.Pid}} {{.State.StartedAt}} | {{.State.ExitCode}}', this.name]);
    if (r.code !== 0) return undefined;
    const m = /^(\S+) (\S+) (\d+) (.*) \| (-?\d+)$/.exec(r.stdout.trim());
    return m ? { id: m[1]!, status: m[2]!, pid: Number(m[3]), startedAt: m[4]!, exitCode: Number(m[5]) } : undefined;
  }

  /** Running and answering /healthz (polled: a gateway that just came up can be busy for a moment). */
  async serving(timeoutMs = 30_000): Promise<boolean> {
    const st = await this.state();
    if (st?.status !== 'running') return false;
    try {
      return await waitFor(() => healthz(this.port, 1500), { timeoutMs, intervalMs: 250, what: 'gateway /healthz' });
    } catch {
      return false;
    }
  }

  /** The stand-in client (test/real/client.mjs) in a sibling container: same state, network and uid. */
  async client(scopes: string[], shape: { id: string; mode: string } = this.vc.client): Promise<ClientResult> {
    const first = await this.clientOnce(scopes, shape);
    // A gateway busy right after a (re)start can time out the handshake (close 4000, "connect timeout"): once more.
    const busy = first.phase === 'timeout' || first.closeCode === 4000 || /connect timeout|handshake/i.test(first.error ?? '');
    return busy ? this.clientOnce(scopes, shape) : first;
  }

  private async clientOnce(scopes: string[], shape: { id: string; mode: string }): Promise<ClientResult> {
    const r = await podman(
      [
        'run',
        '--rm',
        '--label',
        `${LABEL}=${runId()}`,
        '--network',
        'host',
        '-v',
        `${this.stateDir}:/home/node/.openclaw`,
        '-v',
        `${CLIENT_DIR}:/opt/clawfix-e2e/client:ro`,
        ...this.containerEnvArgs(),
        '-e',
        'OPENCLAW_STATE_DIR=/home/node/.openclaw',
        '-e',
        `E2E_TOKEN=${this.token}`,
        '-e',
        `E2E_CLIENT=${shape.id}`,
        '-e',
        `E2E_MODE=${shape.mode}`,
        this.image,
        'node',
        '/opt/clawfix-e2e/client/client.mjs',
        '/app/node_modules/openclaw',
        String(this.port),
        this.vc.store,
        scopes.join(','),
      ],
      { timeoutMs: 120_000 },
    );
    const line = r.stdout.trim().split('\n').pop() ?? '';
    try {
      return JSON.parse(line) as ClientResult;
    } catch {
      throw new Error(`client.mjs in a container gave no result (exit ${r.code}):\n${r.stdout}\n${r.stderr}${await this.tails()}`);
    }
  }

  /** The real `openclaw` CLI inside the gateway container (`podman exec`), as the state's owner. */
  async exec(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return podman(['exec', this.name, 'openclaw', ...args], { timeoutMs: 180_000 });
  }

  /** The environment clawfix runs with on the host: no openclaw on PATH, the runtime's config. */
  /** Extra environment for clawfix (the compose case: DOCKER_HOST). */
  extraEnv: Record<string, string> = {};

  clawfixEnv(extra: Record<string, string> = {}): Record<string, string> {
    return {
      ...this.extraEnv,
      PATH: [path.dirname(NODE), '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'].join(path.delimiter),
      HOME: this.home,
      TMPDIR: path.join(this.root, 'tmp'),
      NO_COLOR: '1',
      ...runtimeEnv(),
      CLAWFIX_START_TIMEOUT_MS: '180000',
      CLAWFIX_STOP_TIMEOUT_MS: '60000',
      ...extra,
    };
  }

  /** The BUILT clawfix on the host, pointed at the host path of the bind-mounted state dir. */
  async clawfix(args: string[], env: Record<string, string> = {}, timeoutMs = 600_000): Promise<RunResult> {
    fs.mkdirSync(path.join(this.root, 'tmp'), { recursive: true, mode: 0o700 });
    const full = ['--state-dir', this.stateDir, ...args];
    const r = await runProcess(NODE, [CLAWFIX_BIN, ...full], { env: this.clawfixEnv(env), timeoutMs, cwd: REPO_ROOT });
    const n = String(++this.runs).padStart(2, '0');
    fs.writeFileSync(
      path.join(this.root, `clawfix-${n}-${args.filter((a) => !a.startsWith('-')).join('-')}.log`),
      `$ clawfix ${full.join(' ')}  ${JSON.stringify(env)}\nexit ${r.code} in ${r.durationMs} ms\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}\n`,
    );
    return r;
  }

  /**
   * Every file of the host state dir a repair may touch, with bytes, mode AND owner: devices/,
   * identity/ and the config (JSON); for SQLite the pairing rows as well (the file itself changes
   * under a running gateway).
   */
  async hostImage(): Promise<string> {
    const out: string[] = [];
    const add = (rel: string) => {
      const p = path.join(this.stateDir, rel);
      if (!fs.existsSync(p)) return;
      const st = fs.statSync(p);
      if (st.isDirectory()) {
        out.push(`${rel}/ mode=${(st.mode & 0o777).toString(8)} owner=${st.uid}:${st.gid}`);
        for (const n of fs.readdirSync(p).sort()) add(path.join(rel, n));
        return;
      }
      out.push(`${rel} mode=${(st.mode & 0o777).toString(8)} owner=${st.uid}:${st.gid} sha256=${crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex')}`);
    };
    for (const rel of ['devices', 'identity', 'openclaw.json']) add(rel);
    if (this.vc.store === 'sqlite') {
      const { DatabaseSync } = await import('node:sqlite');
      const db = new DatabaseSync(path.join(this.stateDir, 'state', 'openclaw.sqlite'), { readOnly: true });
      try {
        for (const t of ['device_pairing_paired', 'device_pairing_pending', 'device_auth_tokens']) {
          out.push(`${t}: ${JSON.stringify(db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all())}`);
        }
      } finally {
        db.close();
      }
    }
    return out.join('\n');
  }

  /** Files or dirs under the state dir that are NOT owned by uid 1000 (a repair must create none). */
  foreignOwned(): string[] {
    const bad: string[] = [];
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        const st = fs.lstatSync(p);
        if (st.uid !== OWNER || st.gid !== OWNER) bad.push(`${path.relative(this.stateDir, p)} (${st.uid}:${st.gid})`);
        if (e.isDirectory()) walk(p);
      }
    };
    walk(this.stateDir);
    return bad;
  }

  async approvedScopes(deviceId: string): Promise<string[] | undefined> {
    if (this.vc.store === 'json') {
      const paired = JSON.parse(fs.readFileSync(path.join(this.stateDir, 'devices', 'paired.json'), 'utf8')) as Record<string, { approvedScopes?: string[]; scopes?: string[] }>;
      const d = paired[deviceId];
      return d ? [...(d.approvedScopes ?? d.scopes ?? [])].sort() : undefined;
    }
    const { DatabaseSync } = await import('node:sqlite');
    const db = new DatabaseSync(path.join(this.stateDir, 'state', 'openclaw.sqlite'), { readOnly: true });
    try {
      const r = db.prepare('SELECT approved_scopes_json, scopes_json FROM device_pairing_paired WHERE device_id = ?').get(deviceId) as Record<string, unknown> | undefined;
      return r ? [...(JSON.parse(String(r.approved_scopes_json ?? r.scopes_json ?? '[]')) as string[])].sort() : undefined;
    } finally {
      db.close();
    }
  }

  /** Secrets that must never appear in clawfix's output. */
  async secrets(): Promise<string[]> {
    const out = [this.token];
    for (const f of ['devices/paired.json', 'identity/device-auth.json']) {
      try {
        for (const m of fs.readFileSync(path.join(this.stateDir, f), 'utf8').matchAll(/"token"\s*:\s*"([^"]{16,})"/g)) out.push(m[1]!);
      } catch {
        /* not this era */
      }
    }
    try {
      const pem = (JSON.parse(fs.readFileSync(path.join(this.stateDir, 'identity', 'device.json'), 'utf8')) as { privateKeyPem?: string }).privateKeyPem;
      if (pem) out.push(pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''));
    } catch {
      /* SQLite era */
    }
    if (this.vc.store === 'sqlite') {
      const { DatabaseSync } = await import('node:sqlite');
      const db = new DatabaseSync(path.join(this.stateDir, 'state', 'openclaw.sqlite'), { readOnly: true });
      try {
        for (const r of db.prepare('SELECT tokens_json FROM device_pairing_paired').all() as { tokens_json?: string }[]) {
          for (const t of Object.values(JSON.parse(String(r.tokens_json ?? '{}')) as Record<string, { token?: string }>)) if (t.token) out.push(t.token);
        }
        for (const r of db.prepare('SELECT token FROM device_auth_tokens').all() as { token: string }[]) out.push(String(r.token));
        for (const r of db.prepare('SELECT private_key_pem FROM device_identities').all() as { private_key_pem: string }[]) {
          out.push(String(r.private_key_pem).replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''));
        }
      } finally {
        db.close();
      }
    }
    return out.filter((s) => s.length >= 16);
  }

  /** The gateway's log lines, read from inside the container's root (its /tmp/openclaw). */
  async logMessages(): Promise<string[]> {
    const st = await this.state();
    if (st?.status !== 'running' || !st.pid) return [];
    const dir = `/proc/${st.pid}/root/tmp/openclaw`;
    const out: string[] = [];
    try {
      for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.log')).sort()) {
        for (const line of fs.readFileSync(path.join(dir, f), 'utf8').split('\n')) {
          if (!line.trim()) continue;
          try {
            const o = JSON.parse(line) as Record<string, unknown>;
            const msg = [o['2'], o['1'], o['0'], o.message].find((v) => typeof v === 'string' && !String(v).startsWith('{"subsystem"'));
            out.push(String(msg ?? line));
          } catch {
            out.push(line);
          }
        }
      }
    } catch {
      /* not there yet */
    }
    return out;
  }

  async waitForLog(re: RegExp, timeoutMs = 15_000): Promise<string> {
    return waitFor(async () => (await this.logMessages()).find((m) => re.test(m)), { timeoutMs, intervalMs: 200, what: `gateway log line ${re}` });
  }

  /** Container state and the last lines of its console, for failure messages. */
  async tails(n = 40): Promise<string> {
    const logs = await podman(['logs', '--tail', String(n), this.name]);
    const redact = (s: string) => s.split(this.token).join('‹gateway-token›').replace(/\x1b\[[0-9;]*m/g, '');
    return redact(`\n--- container ${this.name}: ${JSON.stringify(await this.state())} ---\n${logs.stdout}${logs.stderr}`);
  }

  async explain<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      fs.writeFileSync(path.join(this.root, 'FAILED'), `${what}\n`);
      const e = err as Error;
      e.message = `${what}: ${e.message}${await this.tails()}`;
      throw e;
    }
  }

  timing(name: string, ms: number): void {
    recordTiming({ kind: 'phase', version: `${this.vc.version} (${this.tag})`, name, ms });
  }

  /** Remove the container (SIGTERM, 10 s, then SIGKILL). Never throws. */
  async cleanup(): Promise<void> {
    await podman(['rm', '-f', '-t', '10', this.name]).catch(() => undefined);
  }
}

/**
 * The same gateway, created by docker-compose (Debian's v1) through podman's Docker API: the compose
 * file a docker-compose user has (`network_mode: host`, `init: true`, the state dir bind-mounted).
 */
export class ComposeGateway extends ContainerGateway {
  readonly project: string;
  composeFile = '';

  constructor(vc: ContainerCase, readonly dockerHost: string) {
    super(vc, 'compose');
    this.project = `cfx${runId().slice(0, 8)}`;
    this.name = `${this.project}_openclaw-gateway_1`;
    this.extraEnv = { DOCKER_HOST: dockerHost };
  }

  composeText(): string {
    return [
      'version: "2.4"',
      'services:',
      '  openclaw-gateway:',
      `    image: ${this.image}`,
      '    network_mode: host',
      '    init: true',
      '    environment:',
      '      OPENCLAW_SKIP_CHANNELS: "1"',
      '      NODE_OPTIONS: "--require /opt/clawfix-e2e/offline.cjs"',
      '    volumes:',
      `      - ${this.stateDir}:/home/node/.openclaw`,
      '    labels:',
      `      ${LABEL}: "${runId()}"`,
      '    command: ["openclaw", "gateway", "run"]',
      '',
    ].join('\n');
  }

  compose(args: string[]): Promise<RunResult> {
    return runProcess('docker-compose', ['-p', this.project, '-f', this.composeFile, ...args], {
      env: { ...this.clawfixEnv(), COMPOSE_INTERACTIVE_NO_CLI: '1' },
      timeoutMs: 300_000,
      cwd: path.dirname(this.composeFile),
    });
  }

  override async start(): Promise<number> {
    const t0 = Date.now();
    const dir = path.join(this.root, 'compose');
    fs.mkdirSync(dir, { recursive: true });
    this.composeFile = path.join(dir, 'docker-compose.yml');
    fs.writeFileSync(this.composeFile, this.composeText());
    const r = await this.compose(['up', '-d']);
    if (r.code !== 0) throw new Error(`docker-compose up failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
    await this.waitHealthy(240_000);
    await this.waitReady();
    return Date.now() - t0;
  }

  override async cleanup(): Promise<void> {
    if (this.composeFile) await this.compose(['down', '-t', '10']).catch(() => undefined);
    await super.cleanup();
  }
}
