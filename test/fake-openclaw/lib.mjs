// Shared plumbing of the fake `openclaw` CLI and fake gateway: control dir, state/config resolution,
// both pairing stores (JSON files and SQLite), OpenClaw-format log lines and the scope algebra.
// Plain ESM, no build step. Behaviour follows /work/shared/openclaw-notes.md.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const JSON5 = require('json5');

export const DEFAULT_VERSION = '2026.7.35';
export const PENDING_TTL_MS = 5 * 60 * 1000;

// ---------- control dir ----------

export function ctlDir() {
  const dir = process.env.FAKE_OPENCLAW_CTL;
  if (!dir) {
    process.stderr.write('fake openclaw: FAKE_OPENCLAW_CTL is not set\n');
    process.exit(2);
  }
  return dir;
}

export function readCtl() {
  try {
    return JSON.parse(fs.readFileSync(path.join(ctlDir(), 'ctl.json'), 'utf8'));
  } catch (err) {
    if (err.code === 'ENOENT') return {};
    throw err;
  }
}

export function versionOf(ctl) {
  return ctl.version ?? DEFAULT_VERSION;
}

/** sqlite when version >= 2026.8 or a 2026.7.2 beta, else json (unless ctl.store says otherwise). */
export function storeKindOf(ctl) {
  if (ctl.store === 'json' || ctl.store === 'sqlite') return ctl.store;
  const m = /(\d{4})\.(\d{1,2})\.(\d{1,3})(-\S+)?/.exec(versionOf(ctl));
  if (!m) return 'json';
  const [y, mo, p, pre] = [Number(m[1]), Number(m[2]), Number(m[3]), m[4] ?? ''];
  if (y > 2026 || (y === 2026 && mo >= 8)) return 'sqlite';
  if (y === 2026 && mo === 7 && p === 2 && /beta/i.test(pre)) return 'sqlite';
  return 'json';
}

/** A gateway started with `gateway run` (foreground, like Docker) is invisible to the service commands. */
export function pidFile() {
  return path.join(ctlDir(), process.env.FAKE_GATEWAY_FOREGROUND === '1' ? 'foreground.pid' : 'gateway.pid');
}

export function readGatewayPid() {
  try {
    const pid = Number(fs.readFileSync(pidFile(), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Alive and not a zombie (a detached gateway may be reparented to an init that does not reap). */
export function isAlive(pid) {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return err.code === 'EPERM';
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true; // no procfs (macOS): trust kill(0)
  }
}

export function runningGatewayPid() {
  const pid = readGatewayPid();
  return pid && isAlive(pid) ? pid : undefined;
}

// ---------- state, config, log file ----------

export function resolveState(env = process.env) {
  const home = env.OPENCLAW_HOME || env.HOME || os.homedir();
  const stateDir = path.resolve(env.OPENCLAW_STATE_DIR || path.join(home, '.openclaw'));
  const configPath = path.resolve(env.OPENCLAW_CONFIG_PATH || path.join(stateDir, 'openclaw.json'));
  let config = {};
  let configError;
  try {
    config = JSON5.parse(fs.readFileSync(configPath, 'utf8')) ?? {};
  } catch (err) {
    if (err.code !== 'ENOENT') configError = err.message;
  }
  const port = Number(config?.gateway?.port) || 18789;
  const day = new Date().toISOString().slice(0, 10);
  const logFile = config?.logging?.file ?? path.join(os.tmpdir(), 'openclaw', `openclaw-${day}.log`);
  return {
    stateDir,
    configPath,
    config,
    configError,
    port,
    logFile,
    paired: path.join(stateDir, 'devices', 'paired.json'),
    pending: path.join(stateDir, 'devices', 'pending.json'),
    identity: path.join(stateDir, 'identity', 'device.json'),
    sqlite: path.join(stateDir, 'state', 'openclaw.sqlite'),
  };
}

// ---------- logs (OpenClaw file format: tslog JSON lines) ----------

const LEVEL_IDS = { TRACE: 1, DEBUG: 2, INFO: 3, WARN: 4, ERROR: 5, FATAL: 6 };

/** Append one JSON line to the log file and echo the console form to stdout. */
export function log(logFile, { subsystem = 'gateway', level = 'INFO', text, meta, echo = true }) {
  const now = new Date().toISOString();
  // subsystem null: the root logger ("0" = message, _meta.name = "openclaw")
  const name = subsystem === null ? 'openclaw' : JSON.stringify({ subsystem });
  const obj =
    subsystem === null ? { 0: text } : meta === undefined ? { 0: name, 1: text } : { 0: name, 1: meta, 2: text };
  obj._meta = {
    runtime: 'node',
    runtimeVersion: process.versions.node,
    hostname: 'unknown',
    name,
    parentNames: ['openclaw'],
    date: now,
    logLevelId: LEVEL_IDS[level] ?? 3,
    logLevelName: level,
  };
  obj.time = now;
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  fs.appendFileSync(logFile, JSON.stringify(obj) + '\n');
  if (!echo) return;
  try {
    const tag = subsystem === null ? '' : `[${subsystem.replace(/^gateway\//, '')}] `;
    process.stdout.write(`${now} ${tag}${text}\n`);
  } catch {
    // stdout may be closed (detached); the file line is what matters
  }
}

// ---------- scopes ----------

/** 2026.2.19–2.21 (the bug era): operator.admin does NOT cover operator.write (read is covered by either). */
export function e2Rules(version) {
  const m = /2026\.2\.(\d+)/.exec(version ?? '');
  return !!m && Number(m[1]) >= 19 && Number(m[1]) <= 21;
}

function satisfied(requested, granted, e2) {
  if (granted.has(requested)) return true;
  if (requested === 'operator.read') return granted.has('operator.write') || granted.has('operator.admin');
  return !e2 && requested.startsWith('operator.') && granted.has('operator.admin');
}

export function scopesAllow(requested, approved, version) {
  const granted = new Set(approved);
  const e2 = e2Rules(version);
  return requested.every((s) => satisfied(s, granted, e2));
}

export function union(...lists) {
  const out = [];
  for (const l of lists) for (const s of l ?? []) if (!out.includes(s)) out.push(s);
  return out;
}

export function sortedList(list) {
  const l = [...new Set((list ?? []).map((s) => s.trim()).filter(Boolean))].sort();
  return l.length ? l.join(',') : '<none>';
}

export function newToken() {
  return `sekrit-${crypto.randomBytes(16).toString('base64url').slice(0, 22)}`;
}

/** base64url of the raw 32-byte Ed25519 key inside an SPKI PEM (undefined when unreadable). */
function rawPublicKey(pem) {
  try {
    return crypto.createPublicKey(pem).export({ type: 'spki', format: 'der' }).subarray(-32).toString('base64url');
  } catch {
    return undefined;
  }
}

// ---------- JSON store ----------

function readJson(file, fallback) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    if (err.code === 'ENOENT') return fallback;
    throw new Error(`Failed to parse JSON file: ${file}`);
  }
}

/** Paired store as a map keyed by deviceId, tolerating the array shapes guides show. */
function readPairedMap(file) {
  const raw = readJson(file, {});
  const list = Array.isArray(raw) ? raw : Array.isArray(raw?.devices) ? raw.devices : undefined;
  if (!list) return raw ?? {};
  return Object.fromEntries(list.filter((d) => d?.deviceId).map((d) => [d.deviceId, d]));
}

export function writeJsonAtomic(file, value) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.fs-safe-replace.${process.pid}.${crypto.randomUUID()}.tmp`);
  fs.writeFileSync(tmp, JSON.stringify(value, null, 2), { mode: 0o600, flag: 'wx' });
  fs.renameSync(tmp, file);
  fs.chmodSync(file, 0o600);
}

// ---------- SQLite store ----------

const parseJ = (s) => (s == null ? undefined : JSON.parse(s));
const strJ = (v) => (v === undefined ? null : JSON.stringify(v));

async function openDb(file) {
  const { DatabaseSync } = await import('node:sqlite');
  const db = new DatabaseSync(file);
  db.exec('PRAGMA busy_timeout = 5000');
  return db;
}

function rowToPaired(r) {
  const d = {
    deviceId: r.device_id,
    publicKey: r.public_key,
    displayName: r.display_name ?? undefined,
    platform: r.platform ?? undefined,
    clientId: r.client_id ?? undefined,
    clientMode: r.client_mode ?? undefined,
    role: r.role ?? undefined,
    roles: parseJ(r.roles_json),
    scopes: parseJ(r.scopes_json),
    approvedScopes: parseJ(r.approved_scopes_json),
    tokens: parseJ(r.tokens_json),
    approvedVia: r.approved_via ?? undefined,
    createdAtMs: r.created_at_ms,
    approvedAtMs: r.approved_at_ms,
    lastSeenAtMs: r.last_seen_at_ms ?? undefined,
    lastSeenReason: r.last_seen_reason ?? undefined,
  };
  return JSON.parse(JSON.stringify(d));
}

function rowToPending(r) {
  return JSON.parse(
    JSON.stringify({
      requestId: r.request_id,
      deviceId: r.device_id,
      publicKey: r.public_key,
      displayName: r.display_name ?? undefined,
      platform: r.platform ?? undefined,
      clientId: r.client_id ?? undefined,
      clientMode: r.client_mode ?? undefined,
      role: r.role ?? undefined,
      roles: parseJ(r.roles_json),
      scopes: parseJ(r.scopes_json),
      silent: r.silent == null ? undefined : r.silent === 1,
      isRepair: r.is_repair == null ? undefined : r.is_repair === 1,
      ts: r.ts,
      refreshedAtMs: r.refreshed_at_ms ?? undefined,
    }),
  );
}

function insertPending(db, p) {
  db.prepare(
    `INSERT OR REPLACE INTO device_pairing_pending (request_id, device_id, public_key, display_name, platform,
      client_id, client_mode, role, roles_json, scopes_json, silent, is_repair, ts, refreshed_at_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    p.requestId,
    p.deviceId,
    p.publicKey ?? '',
    p.displayName ?? null,
    p.platform ?? null,
    p.clientId ?? null,
    p.clientMode ?? null,
    p.role ?? null,
    strJ(p.roles),
    strJ(p.scopes),
    p.silent ? 1 : 0,
    p.isRepair ? 1 : 0,
    p.ts,
    p.refreshedAtMs ?? null,
  );
}

function upsertPaired(db, d) {
  db.prepare(
    `INSERT INTO device_pairing_paired (device_id, public_key, display_name, platform, client_id, client_mode,
       role, roles_json, scopes_json, approved_scopes_json, tokens_json, approved_via, created_at_ms,
       approved_at_ms, last_seen_at_ms, last_seen_reason)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(device_id) DO UPDATE SET role = excluded.role, roles_json = excluded.roles_json,
       scopes_json = excluded.scopes_json, approved_scopes_json = excluded.approved_scopes_json,
       tokens_json = excluded.tokens_json, approved_at_ms = excluded.approved_at_ms,
       last_seen_at_ms = excluded.last_seen_at_ms, last_seen_reason = excluded.last_seen_reason`,
  ).run(
    d.deviceId,
    d.publicKey ?? '',
    d.displayName ?? null,
    d.platform ?? null,
    d.clientId ?? null,
    d.clientMode ?? null,
    d.role ?? null,
    strJ(d.roles),
    strJ(d.scopes),
    strJ(d.approvedScopes),
    strJ(d.tokens),
    d.approvedVia ?? null,
    d.createdAtMs ?? Date.now(),
    d.approvedAtMs ?? Date.now(),
    d.lastSeenAtMs ?? null,
    d.lastSeenReason ?? null,
  );
}

// ---------- store facade ----------

/**
 * Open the store for `kind`. Every method is synchronous on an already-open handle; `mutate` runs
 * read-modify-write (JSON: rewrite both files atomically; SQLite: one BEGIN IMMEDIATE transaction).
 */
export async function openStore(kind, st) {
  if (kind === 'json') {
    return {
      kind,
      identity() {
        const id = readJson(st.identity, undefined);
        return id?.deviceId ? { deviceId: id.deviceId, publicKey: rawPublicKey(id.publicKeyPem) } : undefined;
      },
      load() {
        return { paired: readPairedMap(st.paired), pending: readJson(st.pending, {}) ?? {} };
      },
      /** fn(state) may change state.paired / state.pending; returns what to persist ('paired', 'pending'). */
      mutate(fn) {
        const state = this.load();
        const result = fn(state);
        if (result?.write?.includes('paired')) writeJsonAtomic(st.paired, state.paired);
        if (result?.write?.includes('pending')) writeJsonAtomic(st.pending, state.pending);
        return result;
      },
      close() {},
    };
  }
  if (!fs.existsSync(st.sqlite)) throw new Error(`no SQLite store at ${st.sqlite}`);
  const db = await openDb(st.sqlite);
  return {
    kind,
    db,
    identity() {
      const r = db.prepare(`SELECT * FROM device_identities WHERE identity_key = 'primary'`).get();
      return r ? { deviceId: r.device_id, publicKey: rawPublicKey(r.public_key_pem) } : undefined;
    },
    load() {
      const paired = {};
      for (const r of db.prepare('SELECT * FROM device_pairing_paired').all()) paired[r.device_id] = rowToPaired(r);
      const pending = {};
      for (const r of db.prepare('SELECT * FROM device_pairing_pending').all()) pending[r.request_id] = rowToPending(r);
      return { paired, pending };
    },
    mutate(fn) {
      db.exec('BEGIN IMMEDIATE');
      try {
        const state = this.load();
        const before = JSON.parse(JSON.stringify(state));
        const result = fn(state);
        for (const id of Object.keys(before.pending)) {
          if (!state.pending[id]) db.prepare('DELETE FROM device_pairing_pending WHERE request_id = ?').run(id);
        }
        for (const [id, p] of Object.entries(state.pending)) {
          if (JSON.stringify(p) !== JSON.stringify(before.pending[id])) insertPending(db, p);
        }
        for (const [id, d] of Object.entries(state.paired)) {
          if (JSON.stringify(d) === JSON.stringify(before.paired[id])) continue;
          upsertPaired(db, d);
        }
        db.exec('COMMIT');
        return result;
      } catch (err) {
        db.exec('ROLLBACK');
        throw err;
      }
    },
    close() {
      db.close();
    },
  };
}

export function pruneExpired(pending, now = Date.now()) {
  for (const [id, p] of Object.entries(pending)) {
    if (now - (p.refreshedAtMs ?? p.ts ?? 0) > PENDING_TTL_MS) delete pending[id];
  }
  return pending;
}

// ---------- gateway probes ----------

export function healthz(port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/healthz', timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => {
        try {
          resolve(res.statusCode === 200 && JSON.parse(body).ok === true);
        } catch {
          resolve(false);
        }
      });
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

export function portBusy(port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    const done = (v) => {
      sock.destroy();
      resolve(v);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.on('connect', () => done(true));
    sock.on('error', () => done(false));
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
