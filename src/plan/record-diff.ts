/**
 * The change of a big JSON store file, record by record: the records whose content changed as unified
 * diffs of the records alone, the removed and added ones as a count and a few examples. A 20 MB
 * pending.json that loses 36 000 superseded requests shows as one line counting them and three ids,
 * not as 700 000 diff lines (which also took minutes and gigabytes to compute). Pure; secrets are
 * masked by the caller's redactor.
 */
import { scanMembers } from '../openclaw/json-scan.js';
import { shortId } from '../util/format.js';
import type { Redactor } from '../util/redact.js';
import type { RecordEdits } from './types.js';

/** A unified-diff maker (the `diff` package's createTwoFilesPatch, loaded lazily by the caller). */
export type PatchMaker = (name: string, before: string, after: string) => string;

/** How many changed records are shown as diffs, and how many removed/added ones as examples. */
const SHOW_CHANGED = 5;
const SHOW_EXAMPLES = 3;

type Rec = Record<string, unknown>;

function isRec(v: unknown): v is Rec {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** The records of a store file by key: their text as found, and their value when it is needed. */
interface Records {
  readonly keys: readonly string[];
  has(key: string): boolean;
  raw(key: string): string;
  value(key: string): unknown;
}

/**
 * A map file is scanned for its members (no tree of 40 000 records is built); an array (the
 * `{"devices":[…]}` wrapper too) is parsed and keyed by deviceId. Undefined when it is neither.
 */
export function recordsOf(text: string): Records | undefined {
  let members;
  try {
    members = scanMembers(text, { validate: false }); // a plan's texts were parsed when it was made
  } catch {
    return undefined;
  }
  if (members && !(members.length === 1 && members[0]!.key === 'devices' && text[members[0]!.start] === '[')) {
    const last = new Map(members.map((m) => [m.key, m]));
    const raw = (k: string) => {
      const m = last.get(k)!;
      return text.slice(m.start, m.end);
    };
    return { keys: [...last.keys()], has: (k) => last.has(k), raw, value: (k) => JSON.parse(raw(k)) };
  }
  let v: unknown = JSON.parse(text.replace(/^\uFEFF/, ''));
  if (isRec(v) && Array.isArray(v.devices)) v = v.devices;
  if (!Array.isArray(v)) return undefined;
  const byKey = new Map(v.map((r, i) => [isRec(r) && typeof r.deviceId === 'string' ? r.deviceId : `[${i}]`, r as unknown]));
  return { keys: [...byKey.keys()], has: (k) => byKey.has(k), raw: (k) => JSON.stringify(byKey.get(k)) ?? 'null', value: (k) => byKey.get(k) };
}

/** One line naming a record without its secrets: the fields that say what it is. */
function summary(key: string, v: unknown): string {
  if (!isRec(v)) return `${key}: ${JSON.stringify(v)?.slice(0, 80) ?? String(v)}`;
  const parts: string[] = [];
  if (typeof v.deviceId === 'string' && v.deviceId !== key) parts.push(`device ${shortId(v.deviceId)}`);
  for (const k of ['clientId', 'role'] as const) if (typeof v[k] === 'string') parts.push(`${k} ${v[k] as string}`);
  if (Array.isArray(v.scopes)) parts.push(`scopes ${v.scopes.join(',') || '(none)'}`);
  if (typeof v.ts === 'number' && Number.isFinite(v.ts)) parts.push(new Date(v.ts).toISOString());
  return `${key}${parts.length ? `: ${parts.join(', ')}` : ''}`;
}

/** The edits as diff text: changed records as unified diffs of the records alone, removed ones as a count and examples. */
export function renderRecordEdits(path: string, e: RecordEdits, after: { total: number; added?: { key: string; value: unknown }[]; addedCount?: number }, patch: PatchMaker, redactor: Redactor): string {
  const unchanged = e.total - e.removed.length - e.changed.length;
  const added = after.addedCount ?? 0;
  const out = [
    `Index: ${path}`,
    '===================================================================',
    `record by record (${e.total} before, ${after.total} after): ${e.changed.length} changed, ${e.removed.length} removed, ${added} added, ${unchanged} unchanged`,
  ];
  const show = (v: unknown) => redactor.text(JSON.stringify(v, null, 2) + '\n');
  for (const c of e.changed.slice(0, SHOW_CHANGED)) out.push(patch(`${path} [${c.key}]`, show(c.before), show(c.after)).trimEnd());
  if (e.changed.length > SHOW_CHANGED) out.push(`  … and ${e.changed.length - SHOW_CHANGED} more changed record(s)`);
  out.push(...examples('-', 'removed', e.removed.length, e.examples), ...examples('+', 'added', added, after.added ?? []));
  return redactor.text(out.join('\n')) + '\n';
}

function examples(sign: '-' | '+', what: string, count: number, shown: readonly { key: string; value: unknown }[]): string[] {
  if (!count) return [];
  return [
    `${sign} ${count} record(s) ${what}${count > shown.length ? ', e.g.' : ':'}`,
    ...shown.map((x) => `${sign}   ${summary(x.key, x.value)}`),
    ...(count > shown.length ? [`${sign}   … and ${count - shown.length} more`] : []),
  ];
}

/**
 * The record-level diff of one file from its two texts (a plan that did not say what it changed, e.g.
 * restoring a backup), or undefined when either side is not a file of records.
 */
export function recordDiff(path: string, before: string, after: string, patch: PatchMaker, redactor: Redactor): string | undefined {
  const a = recordsOf(before);
  const b = a && recordsOf(after);
  if (!a || !b) return undefined;
  const removed: string[] = [];
  const changed: { key: string; before: unknown; after: unknown }[] = [];
  for (const k of a.keys) {
    if (!b.has(k)) removed.push(k);
    // same text: same record (the usual case, no parsing); else compare by value (formatting may differ)
    else if (a.raw(k) !== b.raw(k) && JSON.stringify(a.value(k)) !== JSON.stringify(b.value(k))) changed.push({ key: k, before: a.value(k), after: b.value(k) });
  }
  const added = b.keys.filter((k) => !a.has(k));
  const ex = (r: Records, keys: string[]) => keys.slice(0, SHOW_EXAMPLES).map((key) => ({ key, value: r.value(key) }));
  return renderRecordEdits(path, { total: a.keys.length, changed, removed, examples: ex(a, removed) }, { total: b.keys.length, added: ex(b, added), addedCount: added.length }, patch, redactor);
}
