/**
 * The pairing store the era says is authoritative, the local identity, and (SQLite era) a leftover JSON
 * store beside it. Read-only. Token and key strings go to `secrets` (for redaction), never into the data.
 */
import { existsSync } from 'node:fs';
import { pairedEntries, readJsonStore, readRawJson, tokenHash, type JsonInputs } from '../openclaw/json-store.js';
import { storePaths } from '../openclaw/paths.js';
import { readSqliteStore } from '../openclaw/sqlite-store.js';
import type { EraInfo, IdentitySnapshot, Snapshot, StoreSnapshot } from '../types.js';
import { strings } from '../util/guards.js';

export interface StoreRead {
  store: StoreSnapshot;
  identity: IdentitySnapshot;
  legacyJson?: Snapshot['legacyJson'];
  legacyDeviceAuth?: string;
  secrets: string[];
  /** JSON era: the files as read, for planning a repair without reading and parsing them again. */
  raw?: Partial<JsonInputs>;
}

async function readJsonIdentity(stateDir: string, secrets: string[], raw: Partial<JsonInputs>): Promise<IdentitySnapshot> {
  const p = storePaths(stateDir);
  const id: IdentitySnapshot = {};
  const dev = await readRawJson(p.identity);
  if (dev.error) id.error = dev.error;
  else if (dev.value && typeof dev.value === 'object') {
    const v = dev.value as Record<string, unknown>;
    for (const k of ['privateKeyPem', 'privateKey']) if (typeof v[k] === 'string') secrets.push(v[k] as string);
    if (typeof v.deviceId === 'string') {
      id.deviceId = v.deviceId;
      id.path = p.identity;
    }
  }
  const auth = await readRawJson(p.deviceAuth);
  raw.deviceAuth = auth;
  const op = (auth.value as { tokens?: Record<string, { token?: unknown; scopes?: unknown; updatedAtMs?: unknown }> } | undefined)?.tokens?.operator;
  if (op) {
    if (typeof op.token === 'string') secrets.push(op.token);
    const h = tokenHash(op.token);
    id.cachedToken = {
      role: 'operator',
      scopes: strings(op.scopes),
      ...(h ? { tokenHash: h } : {}),
      ...(typeof op.updatedAtMs === 'number' ? { updatedAtMs: op.updatedAtMs } : {}),
    };
  }
  return id;
}

async function legacyJsonBeside(stateDir: string): Promise<Snapshot['legacyJson']> {
  const sp = storePaths(stateDir);
  if (!existsSync(sp.paired)) return undefined;
  const raw = await readRawJson(sp.paired);
  return {
    paths: [sp.paired],
    deviceCount: raw.value !== undefined ? (pairedEntries(raw.value)?.entries.length ?? 0) : 0,
    migrated: existsSync(sp.pairedMigrated),
  };
}

export async function readStore(stateDir: string, era: EraInfo): Promise<StoreRead> {
  const sp = storePaths(stateDir);
  if (era.store === 'sqlite') {
    const [r, legacyJson] = await Promise.all([readSqliteStore(sp.sqlite), legacyJsonBeside(stateDir)]);
    const deviceAuth = existsSync(sp.deviceAuth) ? sp.deviceAuth : undefined;
    return { store: r.snapshot, identity: r.identity, ...(legacyJson ? { legacyJson } : {}), ...(deviceAuth ? { legacyDeviceAuth: deviceAuth } : {}), secrets: r.secrets };
  }
  const r = await readJsonStore(stateDir);
  const store = r.snapshot;
  if (!r.paired.exists && store.ok) {
    store.ok = false;
    store.error = `${sp.paired} does not exist: OpenClaw has not paired any device in this state dir`;
    store.errorPath = sp.paired;
  }
  const secrets = [...r.secrets];
  const raw: Partial<JsonInputs> = { paired: r.paired, pending: r.pending };
  return { store, identity: await readJsonIdentity(stateDir, secrets, raw), secrets, raw };
}
