/**
 * The SQLite scope repair as row changes: widen approved_scopes_json, scopes_json and tokens_json of
 * one paired row, align the local device_auth_tokens row, delete the pending rows it satisfies.
 * Reading the rows is the caller's job (apply/sqlite.ts); this is pure.
 */
import { appendUnique, missingScopes } from '../util/scopes.js';
import type { RowChange } from './types.js';
import { ClawfixError } from '../util/errors.js';
import { isObject, isStringList } from '../util/guards.js';

type Row = Record<string, unknown>;

function parseList(v: unknown): string[] {
  if (typeof v !== 'string') return [];
  try {
    const x: unknown = JSON.parse(v);
    return Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : [];
  } catch {
    return [];
  }
}

export interface SqliteRows {
  paired: Row;
  pending: Row[];
  authToken?: Row;
}

/** null/undefined: absent; else the JSON text must parse to what `ok` accepts. */
function wellFormed(v: unknown, ok: (x: unknown) => boolean): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v !== 'string') return false;
  try {
    return ok(JSON.parse(v));
  } catch {
    return false;
  }
}

/**
 * The columns the patch widens must hold what OpenClaw writes. Anything else is damaged input that
 * clawfix cannot interpret: it writes nothing rather than replace it.
 */
function assertPatchable(p: Row, role: string, dbPath?: string): void {
  const bad = (col: string, want: string) =>
    new ClawfixError(`cannot repair: ${dbPath ? `${dbPath}: ` : ''}device_pairing_paired row ${String(p.device_id)} has ${col} that is not ${want}; nothing was changed`, {
      hint: 'fix that row by hand (or restore it from a backup), then run clawfix again',
      ...(dbPath ? { path: dbPath } : {}),
    });
  for (const col of ['approved_scopes_json', 'scopes_json', 'roles_json'] as const) {
    if (!wellFormed(p[col], isStringList)) throw bad(col, 'a JSON list of strings');
  }
  const tokensOk = (x: unknown) => {
    if (!isObject(x)) return false;
    const t = x[role];
    return t === undefined || (isObject(t) && (t.scopes === undefined || isStringList(t.scopes)));
  };
  if (!wellFormed(p.tokens_json, tokensOk)) throw bad('tokens_json', `a JSON object of tokens keyed by role`);
}

export function planSqlitePatch(rows: SqliteRows, grant: string[], role = 'operator', dbPath?: string): RowChange[] {
  const p = rows.paired;
  assertPatchable(p, role, dbPath);
  const approvedRaw = p.approved_scopes_json ?? p.scopes_json;
  const approved = appendUnique(parseList(approvedRaw), grant);
  const after: Row = { ...p, approved_scopes_json: JSON.stringify(approved), scopes_json: JSON.stringify(appendUnique(parseList(p.scopes_json), grant)) };
  const roles = parseList(p.roles_json);
  if (typeof p.roles_json === 'string' && !roles.includes(role)) after.roles_json = JSON.stringify([...roles, role]);
  if (typeof p.tokens_json === 'string') {
    try {
      const tokens = JSON.parse(p.tokens_json) as Record<string, { scopes?: unknown }>;
      const t = tokens[role];
      if (t) {
        t.scopes = appendUnique(Array.isArray(t.scopes) ? t.scopes.filter((s): s is string => typeof s === 'string') : [], grant);
        after.tokens_json = JSON.stringify(tokens);
      }
    } catch {
      /* leave an unparsable tokens_json alone */
    }
  }
  const changes: RowChange[] = [{ table: 'device_pairing_paired', key: { device_id: String(p.device_id) }, before: p, after }];
  for (const r of rows.pending) {
    // A request whose scopes_json is not a list is not understood, so it is never "satisfied": kept.
    if (wellFormed(r.scopes_json, isStringList) && !missingScopes(parseList(r.scopes_json), approved).length) {
      changes.push({ table: 'device_pairing_pending', key: { request_id: String(r.request_id) }, before: r, after: null });
    }
  }
  // The client token cache is aligned only when it holds a list to widen; a damaged row is left alone.
  if (rows.authToken && typeof rows.authToken.scopes_json === 'string' && wellFormed(rows.authToken.scopes_json, isStringList)) {
    const a = rows.authToken;
    changes.push({
      table: 'device_auth_tokens',
      key: { device_id: String(a.device_id), role: String(a.role) },
      before: a,
      after: { ...a, scopes_json: JSON.stringify(appendUnique(parseList(a.scopes_json), grant)) },
    });
  }
  return changes.filter((c) => c.after === null || JSON.stringify(c.after) !== JSON.stringify(c.before));
}
