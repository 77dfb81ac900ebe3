/**
 * The JSON pairing store of OpenClaw ≤ 2026.7.1 and the 7.33–7.35 line: `devices/paired.json`
 * (an object keyed by deviceId) and `devices/pending.json` (keyed by requestId). Guides show a
 * `{"devices":[…]}` shape and some installs have arrays; both are read, and written back in the
 * shape they were found in.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { JsonStoreShape, PairedDevice, PendingRequest, StoreSnapshot, TokenSummary } from '../types.js';
import { detectFormat, jsonErrorWhere, parseJsonText, type JsonFormat } from './json-format.js';
import { storePaths } from './paths.js';
import { strings } from '../util/guards.js';

export interface RawJsonFile {
  path: string;
  exists: boolean;
  text?: string;
  value?: unknown;
  format?: JsonFormat;
  mode?: number;
  error?: string;
}

export function tokenHash(token: unknown): string | undefined {
  return typeof token === 'string' && token ? createHash('sha256').update(token).digest('hex').slice(0, 12) : undefined;
}

export async function readRawJson(path: string): Promise<RawJsonFile> {
  let text: string;
  let mode: number;
  try {
    const st = await fs.stat(path);
    if (st.isDirectory()) return { path, exists: true, error: `${path} is a directory where a JSON file was expected` };
    mode = st.mode & 0o777;
    text = await fs.readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { path, exists: false };
    if (code === 'EACCES' || code === 'EPERM') {
      return { path, exists: true, error: `permission denied reading ${path}; run clawfix as the user who owns the OpenClaw state dir` };
    }
    return { path, exists: true, error: `cannot read ${path}: ${code ?? (err as Error).message}` };
  }
  try {
    const value = parseJsonText(text);
    return { path, exists: true, text, value, format: detectFormat(text), mode };
  } catch (err) {
    return { path, exists: true, text, mode, error: `${path} is not valid JSON (${jsonErrorWhere(text, err)})` };
  }
}

function optStrings(v: unknown): string[] | undefined {
  return Array.isArray(v) ? strings(v) : undefined;
}
function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** A record as OpenClaw would treat it; its token strings go to `secrets` (for redaction), never into the summary. */
export function summarizeDevice(id: string, rec: Record<string, unknown>, secrets: string[] = []): PairedDevice {
  const tokens: TokenSummary[] = [];
  const rawTokens = rec.tokens;
  if (rawTokens && typeof rawTokens === 'object' && !Array.isArray(rawTokens)) {
    for (const [role, t] of Object.entries(rawTokens as Record<string, unknown>)) {
      if (!t || typeof t !== 'object') continue;
      const tok = t as Record<string, unknown>;
      if (typeof tok.token === 'string') secrets.push(tok.token);
      const h = tokenHash(tok.token);
      tokens.push({
        role,
        scopes: strings(tok.scopes),
        ...(h ? { tokenHash: h } : {}),
        ...(num(tok.createdAtMs) !== undefined ? { createdAtMs: num(tok.createdAtMs) } : {}),
        ...(num(tok.rotatedAtMs) !== undefined ? { rotatedAtMs: num(tok.rotatedAtMs) } : {}),
        ...(num(tok.revokedAtMs) !== undefined ? { revokedAtMs: num(tok.revokedAtMs) } : {}),
      });
    }
  }
  const d: PairedDevice = {
    deviceId: str(rec.deviceId) ?? id,
    roles: strings(rec.roles).length ? strings(rec.roles) : str(rec.role) ? [str(rec.role) as string] : [],
    tokens,
  };
  const assign = <K extends keyof PairedDevice>(k: K, v: PairedDevice[K] | undefined) => {
    if (v !== undefined) d[k] = v;
  };
  assign('displayName', str(rec.displayName));
  assign('clientId', str(rec.clientId));
  assign('clientMode', str(rec.clientMode));
  assign('platform', str(rec.platform));
  assign('role', str(rec.role));
  assign('scopes', optStrings(rec.scopes));
  assign('approvedScopes', optStrings(rec.approvedScopes));
  assign('createdAtMs', num(rec.createdAtMs));
  assign('approvedAtMs', num(rec.approvedAtMs));
  return d;
}

export function summarizePending(id: string, rec: Record<string, unknown>): PendingRequest | undefined {
  const deviceId = str(rec.deviceId);
  if (!deviceId) return undefined;
  const p: PendingRequest = {
    requestId: str(rec.requestId) ?? id,
    deviceId,
    roles: strings(rec.roles).length ? strings(rec.roles) : str(rec.role) ? [str(rec.role) as string] : [],
    scopes: strings(rec.scopes),
    ts: num(rec.ts) ?? 0,
  };
  if (str(rec.role)) p.role = str(rec.role);
  if (str(rec.clientId)) p.clientId = str(rec.clientId);
  if (str(rec.clientMode)) p.clientMode = str(rec.clientMode);
  if (str(rec.displayName)) p.displayName = str(rec.displayName);
  if (typeof rec.isRepair === 'boolean') p.isRepair = rec.isRepair;
  if (typeof rec.silent === 'boolean') p.silent = rec.silent;
  if (num(rec.refreshedAtMs) !== undefined) p.refreshedAtMs = num(rec.refreshedAtMs);
  return p;
}

/** Entries of a paired store in any accepted shape, as [key, record] pairs. */
export function pairedEntries(value: unknown): { shape: JsonStoreShape; entries: [string, Record<string, unknown>][] } | undefined {
  const asEntries = (arr: unknown[]): [string, Record<string, unknown>][] =>
    arr
      .filter((x): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x))
      .map((r, i) => [str(r.deviceId) ?? String(i), r]);
  if (Array.isArray(value)) return { shape: 'array', entries: asEntries(value) };
  if (!value || typeof value !== 'object') return undefined;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1 && keys[0] === 'devices' && Array.isArray(obj.devices)) {
    return { shape: 'devices-wrapper', entries: asEntries(obj.devices) };
  }
  return {
    shape: 'map',
    entries: Object.entries(obj).filter((e): e is [string, Record<string, unknown>] => !!e[1] && typeof e[1] === 'object' && !Array.isArray(e[1])),
  };
}

/** The raw files a JSON scope repair is planned from (and re-based onto). */
export interface JsonInputs {
  paired: RawJsonFile;
  pending: RawJsonFile;
  deviceAuth: RawJsonFile;
}

export async function readJsonInputs(stateDir: string): Promise<JsonInputs> {
  const p = storePaths(stateDir);
  const [paired, pending, deviceAuth] = await Promise.all([readRawJson(p.paired), readRawJson(p.pending), readRawJson(p.deviceAuth)]);
  return { paired, pending, deviceAuth };
}

export interface JsonStoreRead {
  snapshot: StoreSnapshot;
  /** The token strings read (for redaction only). */
  secrets: string[];
  paired: RawJsonFile;
  pending: RawJsonFile;
}

export async function readJsonStore(stateDir: string): Promise<JsonStoreRead> {
  const p = storePaths(stateDir);
  const [paired, pending] = await Promise.all([readRawJson(p.paired), readRawJson(p.pending)]);
  const snapshot: StoreSnapshot = { kind: 'json', paths: [p.paired, p.pending], ok: true, paired: [], pending: [] };
  const secrets: string[] = [];
  for (const f of [paired, pending]) {
    if (f.error && snapshot.ok) {
      snapshot.ok = false;
      snapshot.error = f.error;
      snapshot.errorPath = f.path;
    }
  }
  const bom = [paired, pending].filter((f) => f.format?.bom).map((f) => f.path);
  if (bom.length) snapshot.bomFiles = bom;
  if (paired.value !== undefined) {
    const pe = pairedEntries(paired.value);
    if (!pe) {
      snapshot.ok = false;
      snapshot.error = `${p.paired} holds ${paired.value === null ? 'null' : typeof paired.value}, not an object of paired devices`;
      snapshot.errorPath = p.paired;
    } else {
      snapshot.shape = pe.shape;
      const stray: string[] = [];
      for (const [key, rec] of pe.entries) {
        if (typeof rec.requestId === 'string' && rec.approvedAtMs === undefined) {
          stray.push(key);
          continue;
        }
        // OpenClaw looks a device up by its key in the map: a record filed under another key is not
        // that device's, whatever its deviceId field says.
        snapshot.paired.push(summarizeDevice(key, pe.shape === 'map' ? { ...rec, deviceId: key } : rec, secrets));
      }
      if (stray.length) snapshot.strayPendingInPaired = stray;
    }
  }
  if (pending.value !== undefined) {
    if (!pending.value || typeof pending.value !== 'object' || Array.isArray(pending.value)) {
      if (snapshot.ok) {
        snapshot.ok = false;
        snapshot.error = `${p.pending} is not an object of pending requests`;
        snapshot.errorPath = p.pending;
      }
    } else {
      for (const [key, rec] of Object.entries(pending.value as Record<string, unknown>)) {
        if (!rec || typeof rec !== 'object') continue;
        const s = summarizePending(key, rec as Record<string, unknown>);
        if (s) snapshot.pending.push(s);
      }
    }
  }
  return { snapshot, secrets, paired, pending };
}
