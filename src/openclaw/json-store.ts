/**
 * The JSON pairing store of OpenClaw ≤ 2026.7.1 and the 7.33–7.35 line: `devices/paired.json`
 * (an object keyed by deviceId) and `devices/pending.json` (keyed by requestId). Guides show a
 * `{"devices":[…]}` shape and some installs have arrays; both are read, and written back in the
 * shape they were found in.
 */
import { createHash } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import type { JsonStoreShape, PairedDevice, PendingRequest, StoreSnapshot, TokenSummary } from '../types.js';
import { detectFormat, jsonErrorWhere, parseJsonText, type JsonFormat } from './json-format.js';
import { effectiveMembers, memberValueText, NO_MEMBERS, scanMemberTable, type MemberTable } from './json-scan.js';
import { storePaths } from './paths.js';
import { isObject, strings } from '../util/guards.js';

export interface RawJsonFile {
  path: string;
  exists: boolean;
  text?: string;
  value?: unknown;
  /**
   * Where each top-level member of an object file is in `text` (read with `{ members: true }`): a
   * patch cuts members out of the text instead of re-serializing 20 MB, so every other byte is kept.
   */
  members?: MemberTable;
  /**
   * An object file read by its members (ReadOptions.members): `value` is not built, the records are
   * read one at a time from `text` (objectEntries, recordValue), so a 20 MB pending.json of 40 000
   * requests never becomes one tree. The members JSON.parse would keep (indices into `members`), in
   * Object.entries order.
   */
  records?: Int32Array;
  format?: JsonFormat;
  mode?: number;
  error?: string;
  /** Size, mtime, inode and mode when read: a later read that finds them unchanged reuses this one (ReadOptions.previous). */
  stamp?: string;
}

export function tokenHash(token: unknown): string | undefined {
  return typeof token === 'string' && token ? createHash('sha256').update(token).digest('hex').slice(0, 12) : undefined;
}

export interface ReadOptions {
  /**
   * Read an object file by its members (RawJsonFile.members and .records) instead of parsing it into
   * one value: each member is parsed on its own (that is the validation) and dropped again.
   */
  members?: boolean;
  /**
   * With `members`: called with each record as it is parsed, in Object.entries order. The result has
   * `records` only when every member parsed, and then `visit` saw each record exactly once; otherwise
   * (an invalid file, or one read whole after all) what it saw is to be discarded.
   */
  visit?: (key: string, value: unknown) => void;
  /**
   * The same file as read earlier in this run: reused as is when its size, mtime, inode and mode are
   * unchanged (a 20 MB store is read and parsed once per run, not once per phase). A rewrite that kept
   * all four is still caught before anything is written: the guard compares the file's hash with the
   * plan's, with the gateway stopped.
   */
  previous?: RawJsonFile;
}

/** One JSON file as found (see ReadOptions). */
export async function readRawJson(path: string, opts: ReadOptions = {}): Promise<RawJsonFile> {
  let text: string;
  let mode: number;
  let stamp: string;
  const prev = opts.previous;
  try {
    const st = await fs.stat(path);
    if (st.isDirectory()) return { path, exists: true, error: `${path} is a directory where a JSON file was expected` };
    mode = st.mode & 0o777;
    stamp = `${st.size}:${st.mtimeMs}:${st.ino}:${mode}`;
    // A file read by its members (records, no value) serves only a caller that reads by members too;
    // a caller with `visit` must see every record, which a reused read would skip.
    const reusable = !!prev && !opts.visit && (prev.value !== undefined || (prev.records !== undefined && opts.members === true));
    if (prev && reusable && prev.path === path && prev.stamp === stamp && !prev.error) return withMembers(prev, opts);
    // A regular file is read in one go: fs.promises.readFile hands back a 20 MB text as a rope of
    // 512 KB chunks that V8 flattens into a second 20 MB copy on first use; readFileSync decodes once.
    text = st.isFile() ? readFileSync(path, 'utf8') : await fs.readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { path, exists: false };
    if (code === 'EACCES' || code === 'EPERM') {
      return { path, exists: true, error: `permission denied reading ${path}; run clawfix as the user who owns the OpenClaw state dir` };
    }
    return { path, exists: true, error: `cannot read ${path}: ${code ?? (err as Error).message}` };
  }
  if (opts.members) {
    const byMembers = readByMembers(text, opts.visit);
    if (byMembers) return { path, exists: true, text, ...byMembers, format: detectFormat(text), mode, stamp };
  }
  try {
    const value = parseJsonText(text);
    return withMembers({ path, exists: true, text, value, format: detectFormat(text), mode, stamp }, opts);
  } catch (err) {
    return { path, exists: true, text, mode, error: `${path} is not valid JSON (${jsonErrorWhere(text, err)})` };
  }
}

/**
 * An object text's members, each parsed once on its own (`visit` sees the kept ones, in Object.entries
 * order): the text is valid JSON exactly when the scan finds the object's structure sound and every
 * member value parses. Undefined when the text is not an object or anything does not parse: the
 * caller then parses it whole, for the value or for the error as JSON.parse reports it.
 */
function readByMembers(text: string, visit?: (key: string, value: unknown) => void): { members: MemberTable; records: Int32Array } | undefined {
  try {
    const members = scanMemberTable(text);
    if (!members) return undefined;
    const { keys } = members;
    const records = effectiveMembers(members);
    for (const i of records) {
      const v: unknown = JSON.parse(memberValueText(text, members, i));
      visit?.(keys[i]!, v);
    }
    if (records.length !== keys.length) {
      const kept = new Set(records);
      for (let i = 0; i < keys.length; i++) if (!kept.has(i)) JSON.parse(memberValueText(text, members, i));
    }
    return { members, records };
  } catch {
    return undefined;
  }
}

/** The file with its members located, when asked for (the text parsed already: the scan does not check the values again). */
function withMembers(f: RawJsonFile, opts: ReadOptions): RawJsonFile {
  if (!opts.members || f.members || !isObject(f.value) || f.text === undefined) return f;
  return { ...f, members: scanMemberTable(f.text) ?? NO_MEMBERS };
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

/**
 * One copy of each repeated string: a store of 40 000 requests from a handful of devices holds the same
 * device ids, client names and scope names 40 000 times over once parsed.
 */
export function interner(): (s: string) => string {
  const seen = new Map<string, string>();
  return (s) => {
    const hit = seen.get(s);
    if (hit !== undefined) return hit;
    seen.set(s, s);
    return s;
  };
}

/**
 * One copy of each repeated list of strings (frozen: it is shared): 40 000 requests of a handful of
 * devices ask for the same two or three lists of scopes.
 */
export function listInterner(intern: (s: string) => string = interner()): (list: string[]) => string[] {
  const seen = new Map<string, string[]>();
  return (list) => {
    const k = JSON.stringify(list);
    const hit = seen.get(k);
    if (hit) return hit;
    const one = Object.freeze(list.map(intern)) as string[];
    seen.set(k, one);
    return one;
  };
}

export function summarizePending(
  id: string,
  rec: Record<string, unknown>,
  intern: (s: string) => string = (s) => s,
  list: (l: string[]) => string[] = (l) => l.map(intern),
): PendingRequest | undefined {
  const deviceId = str(rec.deviceId);
  if (!deviceId) return undefined;
  const role = str(rec.role);
  const roles = strings(rec.roles);
  const requestId = str(rec.requestId);
  const p: PendingRequest = {
    // the key (the text's own string, kept anyway) when it is the id, as it is in OpenClaw's files
    requestId: requestId === undefined || requestId === id ? id : requestId,
    deviceId: intern(deviceId),
    roles: list(roles.length ? roles : role ? [role] : []),
    scopes: list(strings(rec.scopes)),
    ts: num(rec.ts) ?? 0,
  };
  if (role) p.role = intern(role);
  for (const k of ['clientId', 'clientMode', 'displayName'] as const) {
    const v = str(rec[k]);
    if (v) p[k] = intern(v);
  }
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

/** The files a JSON repair is planned from, as they are now; `previous` (this run's earlier read) spares re-parsing unchanged files. */
export async function readJsonInputs(stateDir: string, previous?: Partial<JsonInputs>): Promise<JsonInputs> {
  const p = storePaths(stateDir);
  const [paired, pending, deviceAuth] = await Promise.all([
    readRawJson(p.paired, { ...(previous?.paired ? { previous: previous.paired } : {}) }),
    readRawJson(p.pending, { members: true, ...(previous?.pending ? { previous: previous.pending } : {}) }),
    readRawJson(p.deviceAuth, { ...(previous?.deviceAuth ? { previous: previous.deviceAuth } : {}) }),
  ]);
  return { paired, pending, deviceAuth };
}

/** Whether the file holds a JSON object (read whole or by its members). */
export function isObjectFile(f: RawJsonFile): boolean {
  return f.records !== undefined || isObject(f.value);
}

/**
 * The entries of an object file, as Object.entries lists them (undefined when it holds anything
 * else). A file read by its members yields its records parsed one at a time: iterate, do not keep.
 * `mentions`: the caller looks only for records holding this string as a value, so a record whose
 * text has neither it nor an escape (through which it could be spelled otherwise) is not parsed;
 * such records may or may not be yielded.
 */
export function objectEntries(f: RawJsonFile, mentions?: string): Iterable<[string, unknown]> | undefined {
  if (f.records && f.members && f.text !== undefined) return parsedRecords(f.text, f.members, f.records, mentions);
  return isObject(f.value) ? Object.entries(f.value) : undefined;
}

function* parsedRecords(text: string, members: MemberTable, records: Int32Array, mentions?: string): Generator<[string, unknown]> {
  for (const i of records) {
    const raw = memberValueText(text, members, i);
    if (mentions && !raw.includes(mentions) && !raw.includes('\\')) continue;
    yield [members.keys[i]!, JSON.parse(raw) as unknown];
  }
}

/** How many records an object file holds (0 when it is not one). */
export function recordCount(f: RawJsonFile): number {
  if (f.records) return f.records.length;
  return isObject(f.value) ? Object.keys(f.value).length : 0;
}

/** One record of an object file, freshly parsed or copied (never the reader's own value). */
export function recordValue(f: RawJsonFile, key: string): unknown {
  if (f.records && f.members && f.text !== undefined) {
    const { keys } = f.members;
    const i = f.records.find((r) => keys[r] === key);
    return i === undefined ? undefined : (JSON.parse(memberValueText(f.text, f.members, i)) as unknown);
  }
  if (!isObject(f.value) || !Object.hasOwn(f.value, key)) return undefined;
  const v = f.value[key];
  return v === undefined ? undefined : (JSON.parse(JSON.stringify(v)) as unknown);
}

export interface JsonStoreRead {
  snapshot: StoreSnapshot;
  /** The token strings read (for redaction only). */
  secrets: string[];
  paired: RawJsonFile;
  pending: RawJsonFile;
}

/** paired.json's devices (and its shape, and pending requests filed in it by mistake) into the snapshot. */
function pairedInto(snapshot: StoreSnapshot, value: unknown, path: string, secrets: string[]): void {
  const pe = pairedEntries(value);
  if (!pe) {
    snapshot.ok = false;
    snapshot.error = `${path} holds ${value === null ? 'null' : typeof value}, not an object of paired devices`;
    snapshot.errorPath = path;
    return;
  }
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

/**
 * The JSON store as the gateway reads it. `pending: false` (a caller that asks about paired devices
 * only, like verify): pending.json is not read, and its part of the result is empty.
 */
export async function readJsonStore(stateDir: string, opts: { pending?: boolean } = {}): Promise<JsonStoreRead> {
  const p = storePaths(stateDir);
  // pending.json is read by its members and summarised as each is parsed: 40 000 superseded requests
  // (20 MB) never stand as one tree beside their summaries.
  const intern = interner();
  const list = listInterner(intern);
  let summaries: PendingRequest[] = [];
  const visit = (key: string, rec: unknown) => {
    const s = isObject(rec) ? summarizePending(key, rec, intern, list) : undefined;
    if (s) summaries.push(s);
  };
  const [paired, pending] = await Promise.all([
    readRawJson(p.paired),
    opts.pending === false ? ({ path: p.pending, exists: false } as RawJsonFile) : readRawJson(p.pending, { members: true, visit }),
  ]);
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
  if (paired.value !== undefined) pairedInto(snapshot, paired.value, p.paired, secrets);
  if (!pending.records) {
    summaries = [];
    if (isObject(pending.value)) for (const [key, rec] of Object.entries(pending.value)) visit(key, rec);
  }
  if (isObjectFile(pending)) snapshot.pending = summaries;
  else if (pending.value !== undefined && snapshot.ok) {
    snapshot.ok = false;
    snapshot.error = `${p.pending} is not an object of pending requests`;
    snapshot.errorPath = p.pending;
  }
  return { snapshot, secrets, paired, pending };
}
