/**
 * The SQLite scope repair as row changes: widen approved_scopes_json, scopes_json and tokens_json of
 * one paired row, align the local device_auth_tokens row, delete the pending rows it satisfies.
 * Reading the rows is the caller's job (apply/sqlite.ts); this is pure.
 */
import { appendUnique, missingScopes } from '../util/scopes.js';
import type { RowChange } from './types.js';

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

export function planSqlitePatch(rows: SqliteRows, grant: string[], role = 'operator'): RowChange[] {
  const p = rows.paired;
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
    if (!missingScopes(parseList(r.scopes_json), approved).length) {
      changes.push({ table: 'device_pairing_pending', key: { request_id: String(r.request_id) }, before: r, after: null });
    }
  }
  if (rows.authToken) {
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
