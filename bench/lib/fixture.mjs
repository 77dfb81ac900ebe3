/**
 * Plain-JS state dirs for the benchmarks (the test helpers are TypeScript and not built): an OpenClaw
 * config, the local identity, a JSON or SQLite pairing store, a log file, and the tests' fake
 * `openclaw` (test/fake-openclaw/openclaw.mjs, used as is) installed in `<root>/bin` with its ctl.json.
 * Mirrors test/helpers/fixtures.ts closely enough for clawfix and the fake to accept it.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { SQLITE_SCHEMA } from '../../test/fake-openclaw/schema.mjs';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The clawfix benchmarked: $CLAWFIX_BIN (e.g. an installed package's bin, or another checkout's), else this tree's. */
export const CLAWFIX_BIN = process.env.CLAWFIX_BIN ? path.resolve(process.env.CLAWFIX_BIN) : path.join(REPO, 'bin', 'clawfix.js');
export const FAKE_CLI = path.join(REPO, 'test', 'fake-openclaw', 'openclaw.mjs');


const secret = () => `sekrit-${crypto.randomBytes(17).toString('base64url').slice(0, 22)}`;

function makeKeypair() {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
  const raw = publicKey.export({ type: 'spki', format: 'der' }).subarray(-32);
  return {
    deviceId: crypto.createHash('sha256').update(raw).digest('hex'),
    publicKey: raw.toString('base64url'),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** GET /healthz → true when live (the fake's own probe, without keep-alive). */
import { healthz } from '../../test/fake-openclaw/lib.mjs';
export { healthz };

export async function waitFor(fn, { timeoutMs = 15_000, intervalMs = 10, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

function pidAlive(pid) {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return err.code === 'EPERM';
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.charAt(stat.lastIndexOf(')') + 2);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true;
  }
}

function writeStoreJson(file, value) {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, JSON.stringify(value, null, 2), { mode: 0o600 });
}

const j = (v) => (v === undefined ? null : JSON.stringify(v));

/**
 * Fixtures not cleaned up yet. On exit (also after Ctrl-C, which exits through the handler below)
 * their gateways are sent SIGTERM and their dirs removed, so an interrupted bench leaves nothing.
 */
const live = new Set();
let exitHooked = false;
function hookExit() {
  if (exitHooked) return;
  exitHooked = true;
  process.on('exit', () => {
    for (const f of live) {
      for (const file of ['gateway.pid', 'foreground.pid']) {
        try {
          const pid = Number(fs.readFileSync(path.join(f.ctlDir, file), 'utf8').trim());
          if (pid > 0) process.kill(pid, 'SIGTERM');
        } catch {
          /* not running */
        }
      }
      fs.rmSync(f.root, { recursive: true, force: true });
    }
  });
  for (const sig of ['SIGINT', 'SIGTERM']) if (process.listenerCount(sig) === 0) process.on(sig, () => process.exit(130));
}

/** Environment without the variables that would make a run depend on the developer's machine. */
function baseEnv() {
  const SCRUB = /^(OPENCLAW_|CLAWDBOT_|FAKE_OPENCLAW_|FORCE_COLOR$|NODE_OPTIONS$|CLAWFIX_|NO_COLOR$|CI$|npm_)/;
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !SCRUB.test(k)) env[k] = v;
  return env;
}

/**
 * A state dir. Options:
 *   store 'json' | 'sqlite' (default json); version (default 2026.7.35 / 2026.9.6);
 *   devices [{ local?, deviceId?, scopes, displayName? }] (default: the local identity with operator.read);
 *   logFile (default <root>/logs/openclaw.log); ctl (extra ctl.json fields for the fake);
 *   configExtra (merged at top level into the config); emptySqlite (7.33–7.35: also create the empty
 *   SQLite file those versions leave, default true).
 */
export async function makeStateDir(opts = {}) {
  const store = opts.store ?? 'json';
  const version = opts.version ?? (store === 'sqlite' ? '2026.9.6' : '2026.7.35');
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'clawfix-bench-')));
  const home = path.join(root, 'home');
  const stateDir = path.join(root, 'state');
  const logFile = opts.logFile ?? path.join(root, 'logs', 'openclaw.log');
  const configPath = path.join(stateDir, 'openclaw.json');
  const p = {
    paired: path.join(stateDir, 'devices', 'paired.json'),
    pending: path.join(stateDir, 'devices', 'pending.json'),
    deviceAuth: path.join(stateDir, 'identity', 'device-auth.json'),
    identity: path.join(stateDir, 'identity', 'device.json'),
    sqlite: path.join(stateDir, 'state', 'openclaw.sqlite'),
  };
  fs.mkdirSync(home, { recursive: true });
  fs.mkdirSync(stateDir, { mode: 0o700 });
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const port = await freePort();
  const now = Date.now();
  const local = makeKeypair();

  const config = {
    gateway: { mode: 'local', bind: 'loopback', port, auth: { mode: 'token', token: secret() } },
    logging: { file: logFile },
    ...(opts.configExtra ?? {}),
  };
  fs.writeFileSync(configPath, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });

  const specs = opts.devices ?? [{ scopes: ['operator.read'] }];
  const devices = specs.map((spec, i) => {
    const useLocal = spec.local ?? (i === 0 && spec.deviceId === undefined);
    const kp = useLocal ? local : makeKeypair();
    const scopes = spec.scopes ?? ['operator.read'];
    const createdAtMs = now - 86_400_000;
    return JSON.parse(
      JSON.stringify({
        deviceId: spec.deviceId ?? kp.deviceId,
        publicKey: kp.publicKey,
        displayName: spec.displayName,
        platform: 'linux',
        clientId: 'cli',
        clientMode: 'cli',
        role: 'operator',
        roles: ['operator'],
        scopes,
        approvedScopes: scopes,
        tokens: { operator: { token: secret(), role: 'operator', scopes, createdAtMs } },
        createdAtMs,
        approvedAtMs: createdAtMs,
      }),
    );
  });
  const localDev = devices.find((d) => d.deviceId === local.deviceId);
  const cached = { token: localDev?.tokens.operator.token ?? secret(), scopes: localDev?.approvedScopes ?? ['operator.read'] };

  if (store === 'json') {
    writeStoreJson(p.paired, Object.fromEntries(devices.map((d) => [d.deviceId, d])));
    writeStoreJson(p.pending, {});
    fs.mkdirSync(path.dirname(p.identity), { recursive: true, mode: 0o700 });
    const identity = { version: 1, deviceId: local.deviceId, publicKeyPem: local.publicKeyPem, privateKeyPem: local.privateKeyPem, createdAtMs: now - 86_400_000 };
    fs.writeFileSync(p.identity, JSON.stringify(identity, null, 2) + '\n', { mode: 0o600 });
    const auth = { version: 1, deviceId: local.deviceId, tokens: { operator: { token: cached.token, role: 'operator', scopes: cached.scopes, updatedAtMs: now - 3_600_000 } } };
    fs.writeFileSync(p.deviceAuth, JSON.stringify(auth, null, 2) + '\n', { mode: 0o600 });
  }
  // 7.33–7.35 also create an empty SQLite file; >= 2026.8 keep everything there.
  if (store === 'sqlite' || ((opts.emptySqlite ?? true) && /^2026\.7\.3[3-5]/.test(version))) {
    fs.mkdirSync(path.dirname(p.sqlite), { recursive: true, mode: 0o700 });
    const db = new DatabaseSync(p.sqlite);
    db.exec('PRAGMA journal_mode = WAL');
    db.exec(SQLITE_SCHEMA);
    db.exec('PRAGMA user_version = 18');
    db.prepare('INSERT INTO schema_meta (key, value) VALUES (?, ?), (?, ?)').run('schema_version', '18', 'app_version', version);
    if (store === 'sqlite') {
      db.exec('BEGIN');
      for (const d of devices) {
        db.prepare(
          `INSERT INTO device_pairing_paired (device_id, public_key, display_name, platform, client_id, client_mode,
             role, roles_json, scopes_json, approved_scopes_json, tokens_json, approved_via, created_at_ms, approved_at_ms)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(d.deviceId, d.publicKey, d.displayName ?? null, d.platform, d.clientId, d.clientMode, d.role, j(d.roles), j(d.scopes), j(d.approvedScopes), j(d.tokens), 'silent', d.createdAtMs, d.approvedAtMs);
      }
      db.prepare(
        `INSERT INTO device_identities (identity_key, device_id, public_key_pem, private_key_pem, created_at_ms, updated_at_ms)
         VALUES ('primary', ?, ?, ?, ?, ?)`,
      ).run(local.deviceId, local.publicKeyPem, local.privateKeyPem, now - 86_400_000, now - 86_400_000);
      db.prepare('INSERT INTO device_auth_tokens (device_id, role, token, scopes_json, updated_at_ms) VALUES (?, ?, ?, ?, ?)').run(
        local.deviceId,
        'operator',
        cached.token,
        JSON.stringify(cached.scopes),
        now - 3_600_000,
      );
      db.exec('COMMIT');
    }
    db.close();
    fs.chmodSync(p.sqlite, 0o600);
  }
  if (!fs.existsSync(logFile)) fs.writeFileSync(logFile, '');

  // ---- the fake openclaw ----
  const binDir = path.join(root, 'bin');
  const ctlDir = path.join(root, 'fake-ctl');
  fs.mkdirSync(binDir, { recursive: true });
  fs.mkdirSync(ctlDir, { recursive: true });
  const q = (s) => `'${s.replaceAll("'", `'\\''`)}'`;
  // Node 22.12 has node:sqlite only behind a flag; the fake (OpenClaw's stand-in) gets it there (test/helpers/fake.ts).
  const [major, minor] = process.versions.node.split('.').map(Number);
  const flag = (major === 22 && minor < 13) || (major === 23 && minor < 4) ? `export NODE_OPTIONS='--experimental-sqlite --disable-warning=ExperimentalWarning'\n` : '';
  fs.writeFileSync(path.join(binDir, 'openclaw'), `#!/bin/sh\n${flag}exec ${q(process.execPath)} ${q(FAKE_CLI)} "$@"\n`, { mode: 0o755 });
  fs.writeFileSync(path.join(binDir, 'package.json'), JSON.stringify({ name: 'openclaw', version }, null, 2));
  const ctlPath = path.join(ctlDir, 'ctl.json');
  const readCtl = () => {
    try {
      return JSON.parse(fs.readFileSync(ctlPath, 'utf8'));
    } catch {
      return {};
    }
  };
  const writeCtl = (c) => fs.writeFileSync(ctlPath, JSON.stringify({ ...readCtl(), ...c }, null, 2));
  writeCtl({ version, store, ...(opts.ctl ?? {}) });

  const env = (extra = {}) => ({
    ...baseEnv(),
    PATH: [binDir, path.dirname(process.execPath), process.env.PATH].filter(Boolean).join(path.delimiter),
    HOME: home,
    OPENCLAW_STATE_DIR: stateDir,
    OPENCLAW_CONFIG_PATH: configPath,
    FAKE_OPENCLAW_CTL: ctlDir,
    // OpenClaw's rolling logs under /tmp/openclaw belong to this machine's other gateways, not to the fixture
    CLAWFIX_OPENCLAW_TMP_ROOT: path.join(root, 'tmp'),
    NO_COLOR: '1',
    ...extra,
  });
  const openclaw = (args) => spawnSync(path.join(binDir, 'openclaw'), args, { env: env(), encoding: 'utf8', cwd: root });
  const gatewayPid = () => {
    try {
      return Number(fs.readFileSync(path.join(ctlDir, 'gateway.pid'), 'utf8').trim()) || undefined;
    } catch {
      return undefined;
    }
  };

  const f = {
    root,
    home,
    stateDir,
    configPath,
    logFile,
    port,
    store,
    version,
    deviceId: local.deviceId,
    binDir,
    ctlDir,
    paths: p,
    env,
    readCtl,
    writeCtl,
    openclaw,
    calls() {
      try {
        return fs.readFileSync(path.join(ctlDir, 'calls.log'), 'utf8').split('\n').filter(Boolean).map((l) => l.replace(/^\S+ \d+ ?/, ''));
      } catch {
        return [];
      }
    },
    async startGateway() {
      const r = openclaw(['gateway', 'start']);
      if (r.status !== 0) throw new Error(`fake gateway start failed: ${r.stderr}`);
      await waitFor(() => healthz(port), { what: 'fake gateway up' });
    },
    /**
     * The broken setup of the fix tests: the gateway runs, the simulated sub-agent asked for `scopes`
     * and was refused (audit line + pending request), later starts stay quiet.
     */
    async breakIt(scopes = ['operator.write']) {
      writeCtl({ subagentScopes: scopes, startDelayMs: 0, stopDelayMs: 0 });
      await f.startGateway();
      writeCtl({ subagentScopes: [] });
    },
    async killGateway() {
      for (const file of ['gateway.pid', 'foreground.pid']) {
        let pid;
        try {
          pid = Number(fs.readFileSync(path.join(ctlDir, file), 'utf8').trim()) || undefined;
        } catch {
          pid = undefined;
        }
        if (pid && pidAlive(pid)) {
          process.kill(pid, 'SIGTERM');
          const deadline = Date.now() + 5000;
          while (pidAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
          if (pidAlive(pid)) process.kill(pid, 'SIGKILL');
        }
      }
    },
    gatewayPid,
    async cleanup() {
      await f.killGateway();
      fs.rmSync(root, { recursive: true, force: true });
      live.delete(f);
    },
  };
  hookExit();
  live.add(f);
  return f;
}

/** The device named by bench/gen-log.mjs's scope-upgrade incident (a constant there). */
export function generatorDevice() {
  const m = /const DEVICE = '([0-9a-f]{64})'/.exec(fs.readFileSync(path.join(REPO, 'bench', 'gen-log.mjs'), 'utf8'));
  if (!m) throw new Error('no DEVICE constant in bench/gen-log.mjs');
  return m[1];
}
