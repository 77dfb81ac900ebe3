/**
 * The JSON-store scope repair, as a pure function of the files' contents: add exactly `grant` to the
 * device's approvedScopes, scopes and tokens.<role>.scopes, align identity/device-auth.json, and drop
 * the pending requests the widened record now satisfies. Every other byte of meaning is unchanged,
 * the shape and formatting of each file are kept.
 */
import type { JsonInputs, RawJsonFile } from '../openclaw/json-store.js';
import { pairedEntries } from '../openclaw/json-store.js';
export type { JsonInputs } from '../openclaw/json-store.js';
import { serializeLike, type JsonFormat } from '../openclaw/json-format.js';
import { appendUnique, missingScopes } from '../util/scopes.js';
import { canonical, sha256 } from '../util/hash.js';
import type { FileChange } from './types.js';
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
  const rec = inp.paired.value !== undefined ? findRecord(inp.paired.value, deviceId) : undefined;
  const tok = (rec?.tokens as Record<string, Record<string, unknown>> | undefined)?.[role];
  const pend =
    inp.pending.value && typeof inp.pending.value === 'object'
      ? Object.entries(inp.pending.value as Record<string, Record<string, unknown>>).filter(([, p]) => p?.deviceId === deviceId)
      : [];
  return canonical({
    scopes: rec?.scopes,
    approvedScopes: rec?.approvedScopes,
    roles: rec?.roles,
    token: tok ? { scopes: tok.scopes, token: typeof tok.token === 'string' ? sha256(tok.token) : null, revokedAtMs: tok.revokedAtMs } : null,
    pending: pend.map(([k, p]) => [k, p.scopes]),
  });
}

export function planJsonPatch(inp: JsonInputs, deviceId: string, grant: string[], role = 'operator'): JsonPatchResult {
  if (inp.paired.value === undefined || !inp.paired.format || inp.paired.text === undefined) {
    throw new Error(`${inp.paired.path} is not readable`);
  }
  const pairedValue = clone(inp.paired.value);
  const rec = findRecord(pairedValue, deviceId);
  if (!rec) throw new Error(`device ${deviceId} is not in ${inp.paired.path}`);
  assertPatchable(rec, deviceId, inp.paired.path, role);

  const baseline = strings(rec.approvedScopes ?? rec.scopes);
  rec.approvedScopes = appendUnique(baseline, grant);
  rec.scopes = appendUnique(strings(rec.scopes), grant);
  const roles = strings(rec.roles);
  if (Array.isArray(rec.roles) && !roles.includes(role)) rec.roles = [...roles, role];
  const tokens = rec.tokens as Record<string, Record<string, unknown>> | undefined;
  if (tokens?.[role]) tokens[role].scopes = appendUnique(strings(tokens[role].scopes), grant);

  const files: FileChange[] = [];
  const pushChange = (f: RawJsonFile, after: string) => {
    if (f.text === undefined || after === f.text) return;
    files.push({ path: f.path, before: f.text, after, mode: f.mode ?? 0o600, beforeSha: sha256(f.text), afterSha: sha256(after) });
  };
  pushChange(inp.paired, serializeLike(pairedValue, noBom(inp.paired.format)));

  const removed: string[] = [];
  const approvedNow = strings(rec.approvedScopes);
  if (inp.pending.value && typeof inp.pending.value === 'object' && !Array.isArray(inp.pending.value) && inp.pending.format) {
    const pend = clone(inp.pending.value) as Record<string, Record<string, unknown>>;
    for (const [id, p] of Object.entries(pend)) {
      if (p?.deviceId !== deviceId) continue;
      // A request whose scopes are not a list is not understood, so it is never "satisfied": kept.
      if ((p.scopes === undefined || isStringList(p.scopes)) && !missingScopes(strings(p.scopes), approvedNow).length) {
        delete pend[id];
        removed.push(id);
      }
    }
    if (removed.length) pushChange(inp.pending, serializeLike(pend, noBom(inp.pending.format)));
  }

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
  return { files, removedRequests: removed, guard: jsonGuard(inp, deviceId, role) };
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
