/**
 * Builds throw-away OpenClaw state dirs (config, identity, JSON or SQLite pairing store, log file)
 * with a fake `openclaw` installed beside them. Every secret is a recognisable planted string
 * (`sekrit-…`) so tests can prove none of them leaks into clawfix's output.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { SQLITE_SCHEMA } from '../fake-openclaw/schema.mjs';
import { installFakeOpenclaw, type Ctl, type Fake } from './fake.js';

export type StoreKind = 'json' | 'sqlite';
export type JsonStoreShape = 'map' | 'array' | 'devices-wrapper';

export interface DeviceSpec {
  /** Use the local identity (the CLI / sub-agent device). Default: true for the first device only. */
  local?: boolean;
  /** Explicit id (no keypair behind it); default: the local identity's or a fresh keypair's. */
  deviceId?: string;
  displayName?: string;
  platform?: string;
  clientId?: string;
  clientMode?: string;
  role?: string;
  roles?: string[];
  /** Default ['operator.read']; null omits the field. */
  scopes?: string[] | null;
  /** Default: same as scopes; null omits the field. */
  approvedScopes?: string[] | null;
  /** Default: approvedScopes ?? scopes. */
  tokenScopes?: string[];
  /** false: no `tokens` at all (a role-upgrade record). */
  tokens?: boolean;
  tokenRevoked?: boolean;
  createdAtMs?: number;
  approvedAtMs?: number;
  rotatedAtMs?: number;
  /** Extra fields merged into the JSON record (JSON stores only). */
  extra?: Record<string, unknown>;
}

export interface PendingSpec {
  requestId?: string;
  /** Default: the local identity. */
  deviceId?: string;
  scopes: string[];
  role?: string;
  roles?: string[];
  /** Default: whether the device is paired. */
  isRepair?: boolean;
  silent?: boolean;
  /** Default: now. */
  ts?: number;
  refreshedAtMs?: number;
  clientId?: string;
  clientMode?: string;
  displayName?: string;
}

export interface FixtureOptions {
  /** Default: from the version (sqlite for >= 2026.8 / 7.2 betas), else json. */
  store?: StoreKind;
  /** Written to the fake's ctl.json. Default 2026.7.35 (json) or 2026.9.6 (sqlite). */
  version?: string;
  devices?: DeviceSpec[];
  pending?: PendingSpec[];
  /** Raw lines appended to the log file (build them with ./logs.js). */
  logLines?: string[];
  /** Shape of devices/paired.json. Default 'map' (OpenClaw's own). */
  shape?: JsonStoreShape;
  /** Deep-merged into the generated config. */
  configExtra?: Record<string, unknown>;
  /** Raw config text instead of the generated config (port/log file are then up to you). */
  configText?: string;
  /** Write the local identity (default true). JSON: identity/device.json; SQLite: device_identities. */
  identity?: boolean;
  /** Client token cache (JSON: identity/device-auth.json; SQLite: device_auth_tokens). Default true. */
  deviceAuth?: boolean | { token?: string; scopes?: string[] };
  /** SQLite store: also leave a legacy devices/paired.json (+pending.json, identity/device.json). */
  legacyJson?: boolean | DeviceSpec[];
  /** JSON store: also create state/openclaw.sqlite with EMPTY pairing tables. Default: true on 7.33–7.35. */
  emptySqlite?: boolean;
  /** Extra ctl.json fields for the fake. */
  ctl?: Partial<Ctl>;
}

export interface StoredToken {
  token: string;
  role: string;
  scopes: string[];
  createdAtMs: number;
  rotatedAtMs?: number;
  revokedAtMs?: number;
}

export interface StoredDevice {
  deviceId: string;
  publicKey: string;
  displayName?: string;
  platform?: string;
  clientId?: string;
  clientMode?: string;
  role?: string;
  roles?: string[];
  scopes?: string[];
  approvedScopes?: string[];
  tokens?: Record<string, StoredToken>;
  createdAtMs: number;
  approvedAtMs: number;
  lastSeenAtMs?: number;
  [k: string]: unknown;
}

export interface StoredPending {
  requestId: string;
  deviceId: string;
  publicKey?: string;
  role?: string;
  roles?: string[];
  scopes?: string[];
  silent?: boolean;
  isRepair?: boolean;
  ts: number;
  clientId?: string;
  clientMode?: string;
  [k: string]: unknown;
}

export interface StoreContents {
  paired: Record<string, StoredDevice>;
  pending: Record<string, StoredPending>;
}

export interface Fixture {
  root: string;
  home: string;
  stateDir: string;
  configPath: string;
  logFile: string;
  port: number;
  /** The local identity's deviceId. */
  deviceId: string;
  store: StoreKind;
  version: string;
  /** Every planted secret: device tokens, the gateway token, the private key PEM bodies. */
  secrets: string[];
  gatewayToken: string;
  /** deviceId → operator token as planted. */
  deviceTokens: Record<string, string>;
  /** requestIds of the planted pending requests, in order. */
  requestIds: string[];
  paths: { paired: string; pending: string; deviceAuth: string; identity: string; sqlite: string };
  fake: Fake;
  /** Env to run `openclaw` / clawfix against this fixture (PATH, HOME, OPENCLAW_*, FAKE_OPENCLAW_CTL). */
  env(): Record<string, string>;
  /** The authoritative store read back (SQLite rows converted to OpenClaw's JSON record shape). */
  readStore(kind?: StoreKind): StoreContents;
  appendLog(lines: string[]): void;
  /** Kills the fake gateway and removes the temp dir. */
  cleanup(): Promise<void>;
}

const LOCAL_SCOPES = ['operator.read'];
const PEM_PREFIX = 'MC4CAQAwBQYDK2VwBCIEI'; // every Ed25519 PKCS#8 PEM body starts with this

export function secret(): string {
  return `sekrit-${crypto.randomBytes(17).toString('base64url').slice(0, 22)}`;
}

export interface Keypair {
  deviceId: string;
  publicKey: string;
  publicKeyPem: string;
  privateKeyPem: string;
}

export function makeKeypair(): Keypair {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
  const raw = publicKey.export({ type: 'spki', format: 'der' }).subarray(-32);
  return {
    deviceId: crypto.createHash('sha256').update(raw).digest('hex'),
    publicKey: raw.toString('base64url'),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

export function pemBody(pem: string): string {
  return pem
    .split('\n')
    .filter((l) => l && !l.startsWith('-----'))
    .join('');
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function deepMerge(base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(extra)) {
    const cur = out[k];
    out[k] = isObject(cur) && isObject(v) ? deepMerge(cur, v) : v;
  }
  return out;
}

/** sqlite for >= 2026.8 and the 2026.7.2 betas, else json (mirrors the fake). */
export function storeForVersion(version: string): StoreKind {
  const m = /(\d{4})\.(\d{1,2})\.(\d{1,3})(-\S+)?/.exec(version);
  if (!m) return 'json';
  const [y, mo, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y > 2026 || (y === 2026 && mo >= 8)) return 'sqlite';
  return y === 2026 && mo === 7 && p === 2 && /beta/i.test(m[4] ?? '') ? 'sqlite' : 'json';
}

/** OpenClaw's writer: 2-space JSON, no trailing newline (7.35), mode 0600. */
function writeStoreJson(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(value, null, 2), { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}

export { SQLITE_SCHEMA };

function createSqlite(file: string, version: string): DatabaseSync {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const db = new DatabaseSync(file);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec(SQLITE_SCHEMA);
  db.exec('PRAGMA user_version = 18');
  db.prepare('INSERT INTO schema_meta (key, value) VALUES (?, ?), (?, ?)').run(
    'schema_version',
    '18',
    'app_version',
    version,
  );
  return db;
}

const j = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));
const unj = <T>(v: unknown): T | undefined => (typeof v === 'string' ? (JSON.parse(v) as T) : undefined);

function insertDevice(db: DatabaseSync, d: StoredDevice): void {
  db.prepare(
    `INSERT INTO device_pairing_paired (device_id, public_key, display_name, platform, client_id, client_mode,
       role, roles_json, scopes_json, approved_scopes_json, tokens_json, approved_via, created_at_ms, approved_at_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    d.deviceId,
    d.publicKey,
    d.displayName ?? null,
    d.platform ?? null,
    d.clientId ?? null,
    d.clientMode ?? null,
    d.role ?? null,
    j(d.roles),
    j(d.scopes),
    j(d.approvedScopes),
    j(d.tokens),
    'silent',
    d.createdAtMs,
    d.approvedAtMs,
  );
}

function insertPending(db: DatabaseSync, p: StoredPending): void {
  db.prepare(
    `INSERT INTO device_pairing_pending (request_id, device_id, public_key, display_name, platform, client_id,
       client_mode, role, roles_json, scopes_json, silent, is_repair, ts, refreshed_at_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    p.requestId,
    p.deviceId,
    p.publicKey ?? '',
    (p.displayName as string | undefined) ?? null,
    (p.platform as string | undefined) ?? null,
    p.clientId ?? null,
    p.clientMode ?? null,
    p.role ?? null,
    j(p.roles),
    j(p.scopes),
    p.silent ? 1 : 0,
    p.isRepair ? 1 : 0,
    p.ts,
    (p.refreshedAtMs as number | undefined) ?? null,
  );
}

function dropUndefined<T extends object>(o: T): T {
  return JSON.parse(JSON.stringify(o)) as T;
}

/** Read a store back; SQLite rows become OpenClaw's JSON record shape. Tolerates the array shapes. */
export function readStoreAt(stateDir: string, kind: StoreKind): StoreContents {
  if (kind === 'json') {
    const read = (f: string): unknown => {
      try {
        return JSON.parse(fs.readFileSync(f, 'utf8'));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
        throw err;
      }
    };
    const raw = read(path.join(stateDir, 'devices', 'paired.json'));
    const list = Array.isArray(raw) ? raw : isObject(raw) && Array.isArray(raw.devices) ? raw.devices : undefined;
    const paired = (list
      ? Object.fromEntries((list as StoredDevice[]).map((d) => [d.deviceId, d]))
      : raw) as Record<string, StoredDevice>;
    return { paired, pending: read(path.join(stateDir, 'devices', 'pending.json')) as Record<string, StoredPending> };
  }
  const db = new DatabaseSync(path.join(stateDir, 'state', 'openclaw.sqlite'), { readOnly: true });
  try {
    const paired: Record<string, StoredDevice> = {};
    for (const r of db.prepare('SELECT * FROM device_pairing_paired').all()) {
      paired[String(r.device_id)] = dropUndefined({
        deviceId: String(r.device_id),
        publicKey: String(r.public_key),
        displayName: (r.display_name as string | null) ?? undefined,
        platform: (r.platform as string | null) ?? undefined,
        clientId: (r.client_id as string | null) ?? undefined,
        clientMode: (r.client_mode as string | null) ?? undefined,
        role: (r.role as string | null) ?? undefined,
        roles: unj<string[]>(r.roles_json),
        scopes: unj<string[]>(r.scopes_json),
        approvedScopes: unj<string[]>(r.approved_scopes_json),
        tokens: unj<Record<string, StoredToken>>(r.tokens_json),
        createdAtMs: Number(r.created_at_ms),
        approvedAtMs: Number(r.approved_at_ms),
        lastSeenAtMs: r.last_seen_at_ms == null ? undefined : Number(r.last_seen_at_ms),
      });
    }
    const pending: Record<string, StoredPending> = {};
    for (const r of db.prepare('SELECT * FROM device_pairing_pending').all()) {
      pending[String(r.request_id)] = dropUndefined({
        requestId: String(r.request_id),
        deviceId: String(r.device_id),
        publicKey: String(r.public_key),
        clientId: (r.client_id as string | null) ?? undefined,
        clientMode: (r.client_mode as string | null) ?? undefined,
        role: (r.role as string | null) ?? undefined,
        roles: unj<string[]>(r.roles_json),
        scopes: unj<string[]>(r.scopes_json),
        silent: r.silent == null ? undefined : r.silent === 1,
        isRepair: r.is_repair == null ? undefined : r.is_repair === 1,
        ts: Number(r.ts),
      });
    }
    return { paired, pending };
  } finally {
    db.close();
  }
}

export async function makeStateDir(opts: FixtureOptions = {}): Promise<Fixture> {
  const store: StoreKind = opts.store ?? (opts.version ? storeForVersion(opts.version) : 'json');
  const version = opts.version ?? (store === 'sqlite' ? '2026.9.6' : '2026.7.35');
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'clawfix-test-')));
  const home = path.join(root, 'home');
  const stateDir = path.join(root, 'state');
  const logFile = path.join(root, 'logs', 'openclaw.log');
  const configPath = path.join(stateDir, 'openclaw.json');
  const paths = {
    paired: path.join(stateDir, 'devices', 'paired.json'),
    pending: path.join(stateDir, 'devices', 'pending.json'),
    deviceAuth: path.join(stateDir, 'identity', 'device-auth.json'),
    identity: path.join(stateDir, 'identity', 'device.json'),
    sqlite: path.join(stateDir, 'state', 'openclaw.sqlite'),
  };
  fs.mkdirSync(home, { recursive: true });
  fs.mkdirSync(stateDir, { mode: 0o700 });
  fs.chmodSync(stateDir, 0o700);
  fs.mkdirSync(path.dirname(logFile), { recursive: true });

  const now = Date.now();
  const port = await freePort();
  const gatewayToken = secret();
  const secrets: string[] = [gatewayToken];
  const local = makeKeypair();
  secrets.push(pemBody(local.privateKeyPem));

  // ---- config ----
  const config = deepMerge(
    {
      gateway: { mode: 'local', bind: 'loopback', port, auth: { mode: 'token', token: gatewayToken } },
      logging: { file: logFile },
    },
    opts.configExtra ?? {},
  );
  fs.writeFileSync(configPath, opts.configText ?? JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });

  // ---- devices ----
  const deviceTokens: Record<string, string> = {};
  const buildDevices = (specs: DeviceSpec[]): StoredDevice[] =>
    specs.map((spec, i) => {
      const useLocal = spec.local ?? (i === 0 && spec.deviceId === undefined);
      const kp = useLocal ? local : makeKeypair();
      const deviceId = spec.deviceId ?? kp.deviceId;
      const role = spec.role ?? 'operator';
      const scopes = spec.scopes === null ? undefined : (spec.scopes ?? LOCAL_SCOPES);
      const approvedScopes = spec.approvedScopes === null ? undefined : (spec.approvedScopes ?? scopes);
      const createdAtMs = spec.createdAtMs ?? now - 86_400_000;
      let tokens: Record<string, StoredToken> | undefined;
      if (spec.tokens !== false) {
        const token = deviceTokens[deviceId] ?? secret();
        deviceTokens[deviceId] = token;
        if (!secrets.includes(token)) secrets.push(token);
        tokens = {
          [role]: dropUndefined({
            token,
            role,
            scopes: spec.tokenScopes ?? approvedScopes ?? scopes ?? [],
            createdAtMs,
            rotatedAtMs: spec.rotatedAtMs,
            revokedAtMs: spec.tokenRevoked ? now - 60_000 : undefined,
          }),
        };
      }
      return dropUndefined({
        deviceId,
        publicKey: kp.publicKey,
        displayName: spec.displayName,
        platform: spec.platform ?? 'linux',
        clientId: spec.clientId ?? 'cli',
        clientMode: spec.clientMode ?? 'cli',
        role,
        roles: spec.roles ?? [role],
        scopes,
        approvedScopes,
        tokens,
        createdAtMs,
        approvedAtMs: spec.approvedAtMs ?? createdAtMs,
        ...(spec.extra ?? {}),
      });
    });
  const devices = buildDevices(opts.devices ?? [{}]);
  const pendings: StoredPending[] = (opts.pending ?? []).map((p) => {
    const deviceId = p.deviceId ?? local.deviceId;
    const dev = devices.find((d) => d.deviceId === deviceId);
    const role = p.role ?? 'operator';
    return dropUndefined({
      requestId: p.requestId ?? crypto.randomUUID(),
      deviceId,
      publicKey: dev?.publicKey ?? (deviceId === local.deviceId ? local.publicKey : makeKeypair().publicKey),
      displayName: p.displayName,
      platform: 'linux',
      clientId: p.clientId ?? 'gateway-client',
      clientMode: p.clientMode ?? 'backend',
      role,
      roles: p.roles ?? [role],
      scopes: p.scopes,
      silent: p.silent ?? false,
      isRepair: p.isRepair ?? Boolean(dev),
      ts: p.ts ?? now,
      refreshedAtMs: p.refreshedAtMs,
    });
  });

  const localDev = devices.find((d) => d.deviceId === local.deviceId);
  const authOpt = opts.deviceAuth ?? true;
  const cached =
    authOpt === false
      ? undefined
      : {
          token: (typeof authOpt === 'object' ? authOpt.token : undefined) ?? deviceTokens[local.deviceId] ?? secret(),
          scopes:
            (typeof authOpt === 'object' ? authOpt.scopes : undefined) ??
            localDev?.tokens?.operator?.scopes ??
            LOCAL_SCOPES,
        };
  if (cached && !secrets.includes(cached.token)) secrets.push(cached.token);

  const writeJsonStore = (devs: StoredDevice[], withIdentity: boolean, withAuth: boolean) => {
    fs.mkdirSync(path.dirname(paths.paired), { recursive: true });
    const map = Object.fromEntries(devs.map((d) => [d.deviceId, d]));
    const shape = opts.shape ?? 'map';
    writeStoreJson(paths.paired, shape === 'map' ? map : shape === 'array' ? devs : { devices: devs });
    writeStoreJson(paths.pending, Object.fromEntries(pendings.map((p) => [p.requestId, p])));
    if (withIdentity || withAuth) fs.mkdirSync(path.dirname(paths.identity), { recursive: true, mode: 0o700 });
    if (withIdentity) {
      const identity = {
        version: 1,
        deviceId: local.deviceId,
        publicKeyPem: local.publicKeyPem,
        privateKeyPem: local.privateKeyPem,
        createdAtMs: now - 86_400_000,
      };
      fs.writeFileSync(paths.identity, JSON.stringify(identity, null, 2) + '\n', { mode: 0o600 });
    }
    if (withAuth && cached) {
      const auth = {
        version: 1,
        deviceId: local.deviceId,
        tokens: { operator: { token: cached.token, role: 'operator', scopes: cached.scopes, updatedAtMs: now - 3_600_000 } },
      };
      fs.writeFileSync(paths.deviceAuth, JSON.stringify(auth, null, 2) + '\n', { mode: 0o600 });
    }
  };

  const withIdentity = opts.identity ?? true;
  if (store === 'json') {
    writeJsonStore(devices, withIdentity, true);
    const m = /^2026\.7\.(\d+)/.exec(version);
    if (opts.emptySqlite ?? (m !== null && Number(m[1]) >= 33)) createSqlite(paths.sqlite, version).close();
  } else {
    const db = createSqlite(paths.sqlite, version);
    db.exec('BEGIN');
    for (const d of devices) insertDevice(db, d);
    for (const p of pendings) insertPending(db, p);
    if (withIdentity) {
      db.prepare(
        `INSERT INTO device_identities (identity_key, device_id, public_key_pem, private_key_pem, created_at_ms, updated_at_ms)
         VALUES ('primary', ?, ?, ?, ?, ?)`,
      ).run(local.deviceId, local.publicKeyPem, local.privateKeyPem, now - 86_400_000, now - 86_400_000);
    }
    if (cached) {
      db.prepare(
        'INSERT INTO device_auth_tokens (device_id, role, token, scopes_json, updated_at_ms) VALUES (?, ?, ?, ?, ?)',
      ).run(local.deviceId, 'operator', cached.token, JSON.stringify(cached.scopes), now - 3_600_000);
    }
    db.exec('COMMIT');
    db.close();
    fs.chmodSync(paths.sqlite, 0o600);
    if (opts.legacyJson) {
      const legacy = opts.legacyJson === true ? devices : buildDevices(opts.legacyJson);
      writeJsonStore(legacy, true, false);
    }
  }

  if (opts.logLines?.length) fs.appendFileSync(logFile, opts.logLines.map((l) => l + '\n').join(''));

  const fake = installFakeOpenclaw(root);
  fake.writeCtl({ version, store, ...(opts.ctl ?? {}) });

  const fixture: Fixture = {
    root,
    home,
    stateDir,
    configPath,
    logFile,
    port,
    deviceId: local.deviceId,
    store,
    version,
    secrets,
    gatewayToken,
    deviceTokens,
    requestIds: pendings.map((p) => p.requestId),
    paths,
    fake,
    env() {
      return {
        PATH: `${fake.binDir}${path.delimiter}${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`,
        HOME: home,
        OPENCLAW_STATE_DIR: stateDir,
        OPENCLAW_CONFIG_PATH: configPath,
        FAKE_OPENCLAW_CTL: fake.ctlDir,
        NO_COLOR: '1',
      };
    },
    readStore(kind = store) {
      return readStoreAt(stateDir, kind);
    },
    appendLog(lines) {
      fs.appendFileSync(logFile, lines.map((l) => l + '\n').join(''));
    },
    async cleanup() {
      await fake.stopGateway();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
  return fixture;
}

export { PEM_PREFIX };
