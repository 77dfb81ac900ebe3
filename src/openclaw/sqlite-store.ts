/**
 * The SQLite pairing store of OpenClaw 2026.7.2-beta and later: `state/openclaw.sqlite`.
 * `node:sqlite` is loaded only here, and only when this store is actually read.
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { IdentitySnapshot, PairedDevice, PendingRequest, StoreSnapshot } from '../types.js';
import { summarizeDevice, summarizePending, tokenHash } from './json-store.js';
import type { Db, Row, SqliteModule } from './sqlite-types.js';

export type { Db } from './sqlite-types.js';

export async function openDb(path: string, opts: { readOnly: boolean }): Promise<Db> {
  let mod: SqliteModule | undefined;
  try {
    mod = (await import('node:sqlite')) as unknown as SqliteModule;
  } catch {
    // Node 22.12 has node:sqlite only behind --experimental-sqlite: run it in a worker with that flag.
    mod = (await import('./sqlite-worker.js')).flaggedSqlite();
  }
  if (!mod) {
    throw new Error(
      `reading ${path} needs node:sqlite, which this Node (${process.version}) does not provide without a flag; use Node ≥ 22.13 (OpenClaw's SQLite releases need it anyway)`,
    );
  }
  // A read-only open of a WAL database nobody has open would leave -wal/-shm files behind; with no
  // WAL present there is no writer, so open it immutable and leave the state dir byte-identical.
  let db: Db | undefined;
  if (opts.readOnly && !existsSync(`${path}-wal`)) {
    try {
      db = new mod.DatabaseSync(new URL(`${pathToFileURL(path).href}?immutable=1`), { readOnly: true });
    } catch {
      // A DatabaseSync that takes no URL (22.12's): read a private copy, so the state dir stays byte-identical.
      db = (await import('./sqlite-copy.js')).openPrivateCopy(mod, path);
    }
  }
  db ??= new mod.DatabaseSync(path, { readOnly: opts.readOnly });
  db.exec('PRAGMA busy_timeout = 3000');
  return db;
}

export const REQUIRED_TABLES = ['device_pairing_paired', 'device_pairing_pending'] as const;
export const PAIRED_COLUMNS = ['device_id', 'scopes_json', 'approved_scopes_json', 'tokens_json', 'roles_json', 'role'];

function parseJson(text: unknown): unknown {
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A paired row in the JSON-record shape, so one summarizer serves both stores. */
export function pairedRowToRecord(r: Row): Record<string, unknown> {
  const rec: Record<string, unknown> = {
    deviceId: r.device_id,
    displayName: r.display_name ?? undefined,
    platform: r.platform ?? undefined,
    clientId: r.client_id ?? undefined,
    clientMode: r.client_mode ?? undefined,
    role: r.role ?? undefined,
    roles: parseJson(r.roles_json),
    scopes: parseJson(r.scopes_json),
    approvedScopes: parseJson(r.approved_scopes_json),
    tokens: parseJson(r.tokens_json),
    createdAtMs: typeof r.created_at_ms === 'bigint' ? Number(r.created_at_ms) : r.created_at_ms,
    approvedAtMs: typeof r.approved_at_ms === 'bigint' ? Number(r.approved_at_ms) : r.approved_at_ms,
  };
  return rec;
}

export function pendingRowToRecord(r: Row): Record<string, unknown> {
  return {
    requestId: r.request_id,
    deviceId: r.device_id,
    displayName: r.display_name ?? undefined,
    clientId: r.client_id ?? undefined,
    clientMode: r.client_mode ?? undefined,
    role: r.role ?? undefined,
    roles: parseJson(r.roles_json),
    scopes: parseJson(r.scopes_json),
    silent: r.silent === null || r.silent === undefined ? undefined : Number(r.silent) === 1,
    isRepair: r.is_repair === null || r.is_repair === undefined ? undefined : Number(r.is_repair) === 1,
    ts: Number(r.ts),
    refreshedAtMs: r.refreshed_at_ms === null || r.refreshed_at_ms === undefined ? undefined : Number(r.refreshed_at_ms),
  };
}

export function tableNames(db: Db): Set<string> {
  return new Set(db.prepare("SELECT name FROM sqlite_master WHERE type='table'").all().map((r) => String(r.name)));
}

/** Throws a readable error when the schema is not the one clawfix knows. */
export function checkSchema(db: Db, path: string): void {
  const tables = tableNames(db);
  const missing = REQUIRED_TABLES.filter((t) => !tables.has(t));
  if (missing.length) throw new Error(`${path} has no ${missing.join(', ')} table: not an OpenClaw pairing database clawfix knows`);
  const cols = new Set(db.prepare('PRAGMA table_info(device_pairing_paired)').all().map((r) => String(r.name)));
  const missingCols = PAIRED_COLUMNS.filter((c) => !cols.has(c));
  if (missingCols.length) {
    throw new Error(`${path}: device_pairing_paired lacks column(s) ${missingCols.join(', ')} (unknown schema version)`);
  }
}

/** The local identity's deviceId (`device_identities`, key 'primary') and its cached operator token, hashed. */
function readIdentity(db: Db, path: string, secrets: string[]): IdentitySnapshot {
  const identity: IdentitySnapshot = {};
  const tables = tableNames(db);
  if (!tables.has('device_identities')) return identity;
  const row = db.prepare("SELECT device_id FROM device_identities WHERE identity_key = 'primary'").get();
  if (!row) return identity;
  identity.deviceId = String(row.device_id);
  identity.path = `${path} (device_identities)`;
  if (!tables.has('device_auth_tokens')) return identity;
  const tok = db.prepare("SELECT token, scopes_json, updated_at_ms FROM device_auth_tokens WHERE device_id = ? AND role = 'operator'").get(identity.deviceId);
  if (!tok) return identity;
  if (typeof tok.token === 'string') secrets.push(tok.token);
  const scopes = parseJson(tok.scopes_json);
  const h = tokenHash(tok.token);
  identity.cachedToken = {
    role: 'operator',
    scopes: Array.isArray(scopes) ? scopes.filter((s): s is string => typeof s === 'string') : [],
    ...(h ? { tokenHash: h } : {}),
    updatedAtMs: Number(tok.updated_at_ms),
  };
  return identity;
}

export interface SqliteRead {
  snapshot: StoreSnapshot;
  /** The token strings read (for redaction only). */
  secrets: string[];
  identity: IdentitySnapshot;
  pairedRows: number;
}

export async function readSqliteStore(path: string): Promise<SqliteRead> {
  const snapshot: StoreSnapshot = { kind: 'sqlite', paths: [path], ok: true, paired: [], pending: [] };
  const identity: IdentitySnapshot = {};
  const secrets: string[] = [];
  if (!existsSync(path)) {
    return { snapshot: { ...snapshot, ok: false, error: `${path} does not exist`, errorPath: path }, secrets, identity, pairedRows: 0 };
  }
  let db: Db | undefined;
  try {
    db = await openDb(path, { readOnly: true });
    checkSchema(db, path);
    const paired: PairedDevice[] = db
      .prepare('SELECT * FROM device_pairing_paired')
      .all()
      .map((r) => summarizeDevice(String(r.device_id), pairedRowToRecord(r), secrets));
    const pending: PendingRequest[] = db
      .prepare('SELECT * FROM device_pairing_pending')
      .all()
      .map((r) => summarizePending(String(r.request_id), pendingRowToRecord(r)))
      .filter((p): p is PendingRequest => !!p);
    snapshot.paired = paired;
    snapshot.pending = pending;
    Object.assign(identity, readIdentity(db, path, secrets));
    return { snapshot, secrets, identity, pairedRows: paired.length };
  } catch (err) {
    const msg = (err as Error).message;
    const friendly = /locked|busy/i.test(msg)
      ? `${path} is locked by another process (${msg}); wait for it or stop the gateway and retry`
      : /not a database|malformed|file is encrypted/i.test(msg)
        ? `${path} is not a readable SQLite database (${msg})`
        : msg.includes(path)
          ? msg
          : `${path}: ${msg}`;
    return { snapshot: { ...snapshot, ok: false, error: friendly, errorPath: path }, secrets, identity, pairedRows: 0 };
  } finally {
    db?.close();
  }
}

/** Count paired rows without failing (used to decide the era when the version is unknown). */
export async function countPairedRows(path: string): Promise<number> {
  if (!existsSync(path)) return 0;
  let db: Db | undefined;
  try {
    db = await openDb(path, { readOnly: true });
    const row = db.prepare('SELECT count(*) AS n FROM device_pairing_paired').get();
    return Number(row?.n ?? 0);
  } catch {
    return 0;
  } finally {
    db?.close();
  }
}
