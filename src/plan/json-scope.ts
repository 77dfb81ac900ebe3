/**
 * The JSON-store scope repair, as a pure function of the files' contents: add exactly `grant` to the
 * device's approvedScopes, scopes and tokens.<role>.scopes, align identity/device-auth.json, and drop
 * the pending requests the widened record now satisfies. Every other byte of meaning is unchanged,
 * the shape and formatting of each file are kept.
 */
import type { JsonInputs, RawJsonFile } from '../openclaw/json-store.js';
import { objectEntries, pairedEntries, recordCount, recordValue } from '../openclaw/json-store.js';
import { NO_MEMBERS, scanMemberTable, withoutMembers } from '../openclaw/json-scan.js';
export type { JsonInputs } from '../openclaw/json-store.js';
import { serializeLike, type JsonFormat } from '../openclaw/json-format.js';
import { appendUnique, missingScopes } from '../util/scopes.js';
import { createHash } from 'node:crypto';
import { canonical, sha256 } from '../util/hash.js';
import type { FileChange, RecordEdits } from './types.js';
import { ClawfixError } from '../util/errors.js';
import { isObject, isStringList, strings } from '../util/guards.js';


export interface JsonPatchResult {
  files: FileChange[];
  removedRequests: string[];
  /** Canonical view of what the patch depends on, to detect changes by someone else before writing. */
  guard: string;
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/**
 * A copy of the paired store to patch: the containers are copied and only the device's record is
 * cloned (a store of 100 000 devices is not deep-copied to change one), every other record is shared
 * with the input and never written to. Undefined when the device is not in it.
 */
function copyForPatch(value: unknown, deviceId: string): { copy: unknown; rec: Record<string, unknown>; original: Record<string, unknown> } | undefined {
  const pe = pairedEntries(value);
  if (!pe) return undefined;
  const at = pe.entries.findIndex(([k, r]) => (pe.shape === 'map' ? k === deviceId : r.deviceId === deviceId));
  if (at < 0) return undefined;
  const original = pe.entries[at]![1];
  const rec = clone(original);
  if (pe.shape === 'map') return { copy: { ...(value as Record<string, unknown>), [pe.entries[at]![0]]: rec }, rec, original };
  const arr = (pe.shape === 'array' ? value : (value as { devices: unknown[] }).devices) as unknown[];
  const copied = arr.map((x) => (x === original ? rec : x));
  return { copy: pe.shape === 'array' ? copied : { ...(value as Record<string, unknown>), devices: copied }, rec, original };
}

function findRecord(value: unknown, deviceId: string): Record<string, unknown> | undefined {
  const pe = pairedEntries(value);
  if (!pe) return undefined;
  // A map is keyed by deviceId (OpenClaw looks records up by key); the array shapes by the field.
  const hit = pe.entries.find(([k, r]) => (pe.shape === 'map' ? k === deviceId : r.deviceId === deviceId));
  return hit?.[1];
}


/**
 * The fields the patch widens must be what OpenClaw writes (lists of scope names, tokens keyed by
 * role). Anything else is damaged input: clawfix cannot tell what it meant, so it writes nothing
 * rather than overwrite it with a different type.
 */
function assertPatchable(rec: Record<string, unknown>, deviceId: string, file: string, role: string): void {
  const bad = (field: string, v: unknown, want: string) =>
    new ClawfixError(`cannot repair: device ${deviceId} in ${file} has ${field} of type ${Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v}, not ${want}; nothing was changed`, {
      hint: 'fix that record by hand with the gateway stopped (or restore it from a backup), then run clawfix again',
      path: file,
    });
  for (const field of ['approvedScopes', 'scopes', 'roles'] as const) {
    if (rec[field] !== undefined && !isStringList(rec[field])) throw bad(field, rec[field], 'a list of strings');
  }
  const tokens = rec.tokens;
  if (tokens === undefined) return;
  if (!isObject(tokens)) throw bad('tokens', tokens, 'an object keyed by role');
  const t = tokens[role];
  if (t === undefined) return;
  if (!isObject(t)) throw bad(`tokens.${role}`, t, 'an object');
  if (t.scopes !== undefined && !isStringList(t.scopes)) throw bad(`tokens.${role}.scopes`, t.scopes, 'a list of strings');
}

/** What the patch depends on: the device's scope fields and token scopes, and the device's pending requests. */
export function jsonGuard(inp: JsonInputs, deviceId: string, role: string): string {
  const g = guardHash(inp, deviceId, role);
  for (const [k, scopes] of deviceRequests(inp.pending, deviceId)) g.request(k, scopes);
  return g.digest();
}

/** jsonGuard, fed one request at a time (in file order) by a caller that reads the requests anyway. */
function guardHash(inp: JsonInputs, deviceId: string, role: string): { request(k: string, scopes: unknown): void; digest(): string } {
  const rec = inp.paired.value !== undefined ? findRecord(inp.paired.value, deviceId) : undefined;
  const tok = (rec?.tokens as Record<string, Record<string, unknown>> | undefined)?.[role];
  const record = canonical({
    scopes: rec?.scopes,
    approvedScopes: rec?.approvedScopes,
    roles: rec?.roles,
    token: tok ? { scopes: tok.scopes, token: typeof tok.token === 'string' ? sha256(tok.token) : null, revokedAtMs: tok.revokedAtMs } : null,
  });
  // hashed, one request per line: a device with 36 000 requests would otherwise carry megabytes of fingerprint
  const h = createHash('sha256').update(record);
  return {
    request: (k, scopes) => h.update(`\n${JSON.stringify(k)}:${isStringList(scopes) ? JSON.stringify(scopes) : canonical(scopes)}`),
    digest: () => h.digest('hex'),
  };
}

/**
 * The device's pending requests as [requestId, scopes as stored], in file order; none when the file is
 * not an object. Read one at a time (40 000 requests are not held as a list).
 */
function* deviceRequests(f: RawJsonFile, deviceId: string): Generator<[string, unknown]> {
  for (const [k, p] of objectEntries(f, deviceId) ?? []) if (isObject(p) && p.deviceId === deviceId) yield [k, p.scopes];
}

export function planJsonPatch(inp: JsonInputs, deviceId: string, grant: string[], role = 'operator'): JsonPatchResult {
  if (inp.paired.value === undefined || !inp.paired.format || inp.paired.text === undefined) {
    throw new Error(`${inp.paired.path} is not readable`);
  }
  const patched = copyForPatch(inp.paired.value, deviceId);
  if (!patched) throw new Error(`device ${deviceId} is not in ${inp.paired.path}`);
  const { copy: pairedValue, rec } = patched;
  assertPatchable(rec, deviceId, inp.paired.path, role);

  const baseline = strings(rec.approvedScopes ?? rec.scopes);
  rec.approvedScopes = appendUnique(baseline, grant);
  rec.scopes = appendUnique(strings(rec.scopes), grant);
  const roles = strings(rec.roles);
  if (Array.isArray(rec.roles) && !roles.includes(role)) rec.roles = [...roles, role];
  const tokens = rec.tokens as Record<string, Record<string, unknown>> | undefined;
  if (tokens?.[role]) tokens[role].scopes = appendUnique(strings(tokens[role].scopes), grant);

  const files: FileChange[] = [];
  const pushChange = (f: RawJsonFile, after: string, records?: RecordEdits) => {
    if (f.text === undefined || after === f.text) return;
    files.push({ path: f.path, before: f.text, after, mode: f.mode ?? 0o600, beforeSha: sha256(f.text), afterSha: sha256(after), ...(records ? { records } : {}) });
  };
  pushChange(inp.paired, serializeLike(pairedValue, noBom(inp.paired.format)), {
    total: pairedEntries(inp.paired.value)!.entries.length,
    changed: [{ key: deviceId, before: clone(patched.original), after: clone(rec) }],
    removed: [],
    examples: [],
  });

  const cut = cutSatisfied(inp, deviceId, role, strings(rec.approvedScopes));
  if (cut.after !== undefined) pushChange(inp.pending, cut.after, cut.records);

  const da = inp.deviceAuth;
  if (da.value && typeof da.value === 'object' && da.format) {
    const auth = clone(da.value) as { deviceId?: string; tokens?: Record<string, Record<string, unknown>> };
    const t = auth.tokens?.[role];
    // The client cache is aligned only when it holds a list to widen; a damaged cache is left alone.
    if (auth.deviceId === deviceId && isObject(t) && (t.scopes === undefined || isStringList(t.scopes))) {
      t.scopes = appendUnique(strings(t.scopes), grant);
      pushChange(da, serializeLike(auth, noBom(da.format)));
    }
  }
  // A store file with a byte-order mark that the patch does not otherwise touch is rewritten without it too.
  for (const f of [inp.pending]) if (f.format?.bom && f.text !== undefined && !files.some((x) => x.path === f.path)) pushChange(f, withoutBom(f.text));
  return { files, removedRequests: cut.removed, guard: cut.guard };
}

/**
 * The device's requests the widened record satisfies, cut out of pending.json's text (every other
 * request keeps its bytes), and the guard's fingerprint: one pass over the requests, each parsed and
 * dropped again.
 */
function cutSatisfied(inp: JsonInputs, deviceId: string, role: string, approvedNow: string[]): { removed: string[]; guard: string; after?: string; records?: RecordEdits } {
  // A request whose scopes are not a list is not understood, so it is never "satisfied": kept.
  const satisfied = (scopes: unknown) => (scopes === undefined || isStringList(scopes)) && !missingScopes(strings(scopes), approvedNow).length;
  const guard = guardHash(inp, deviceId, role);
  const removed: string[] = [];
  for (const [k, scopes] of deviceRequests(inp.pending, deviceId)) {
    guard.request(k, scopes);
    if (satisfied(scopes)) removed.push(k);
  }
  if (!removed.length) return { removed, guard: guard.digest() };
  const text = inp.pending.text!;
  const members = inp.pending.members ?? scanMemberTable(text) ?? NO_MEMBERS;
  const examples = removed.slice(0, 3).map((key) => ({ key, value: recordValue(inp.pending, key) }));
  const after = withoutBom(withoutMembers(text, members, new Set(removed)));
  return { removed, guard: guard.digest(), after, records: { total: recordCount(inp.pending), changed: [], removed, examples } };
}

/** OpenClaw reads its JSON with `JSON.parse(buf.toString('utf8'))`, which rejects a byte-order mark: files are written without one. */
function noBom(fmt: JsonFormat): JsonFormat {
  return { ...fmt, bom: false };
}

export function withoutBom(text: string): string {
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}

/** The store files that carry a byte-order mark, rewritten without it (the store-bom repair). */
export function planBomRewrite(inp: JsonInputs): FileChange[] {
  return [inp.paired, inp.pending]
    .filter((f) => f.format?.bom && f.text !== undefined)
    .map((f) => {
      const after = withoutBom(f.text!);
      return { path: f.path, before: f.text!, after, mode: f.mode ?? 0o600, beforeSha: sha256(f.text!), afterSha: sha256(after) };
    });
}
