/** Unified diffs of a plan's file and row changes, secrets redacted (the `diff` package is loaded lazily). */
import { REDACTED as MASK, type Redactor } from '../util/redact.js';
import { recordDiff, renderRecordEdits, type PatchMaker } from './record-diff.js';
import type { FileChange, Plan } from './types.js';


/** tokens_json as shown: every string is masked except role names and scope lists, whatever its shape. */
function maskTokens(v: unknown, key?: string): unknown {
  if (typeof v === 'string') return key === 'role' ? v : MASK;
  if (Array.isArray(v)) return key === 'scopes' && v.every((x) => typeof x === 'string') ? v : v.map((x) => maskTokens(x));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, maskTokens(x, k)]));
  return v;
}

function rowText(row: Readonly<Record<string, unknown>> | null, redactor: Redactor): string {
  if (!row) return '';
  const shown: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (k === 'tokens_json') {
      // Tokens in an unexpected shape (an array of token strings, broken JSON) are not caught by
      // key-based redaction: mask the column structurally.
      let parsed: unknown;
      try {
        parsed = typeof v === 'string' ? JSON.parse(v) : v;
      } catch {
        parsed = MASK;
      }
      shown[k] = parsed === MASK ? MASK : maskTokens(parsed);
      continue;
    }
    if (typeof v === 'string' && /_json$/.test(k)) {
      try {
        shown[k] = JSON.parse(v);
        continue;
      } catch {
        /* show raw */
      }
    }
    shown[k] = k === 'token' || k === 'private_key_pem' ? MASK : v;
  }
  return JSON.stringify(redactor.value(shown), null, 2) + '\n';
}

/** A byte-order mark is invisible: the diff names it where it is removed or added. */
function visible(text: string): string {
  return text.startsWith('\uFEFF') ? `‹UTF-8 byte-order mark›${text.slice(1)}` : text;
}

/** Files up to this size (before + after, in characters) are shown as a unified diff of the whole text. */
export const WHOLE_FILE_DIFF_MAX = 256 * 1024;
/** A whole-file diff that needs more line edits than this is shown record by record instead. */
const MAX_EDITS = 2000;

type TwoFilesPatch = typeof import('diff').createTwoFilesPatch;

/**
 * One file's change: a unified diff of the whole text when it is small and the change is too (the usual
 * repair), else record by record (a big store), else one line saying how much it changed.
 */
function fileDiff(f: FileChange, redactor: Redactor, createTwoFilesPatch: TwoFilesPatch): string {
  if (f.before.length + f.after.length <= WHOLE_FILE_DIFF_MAX) {
    const whole = createTwoFilesPatch(f.path, f.path, visible(redactor.text(f.before)), visible(redactor.text(f.after)), 'before', 'after', { context: 3, maxEditLength: MAX_EDITS });
    if (whole !== undefined) return whole;
  }
  const patch: PatchMaker = (name, before, after) => createTwoFilesPatch(name, name, before, after, 'before', 'after', { context: 3, maxEditLength: MAX_EDITS }) ?? `${name}: the record changed too much to show line by line`;
  if (f.records) return renderRecordEdits(f.path, f.records, { total: f.records.total - f.records.removed.length }, patch, redactor);
  let records: string | undefined;
  try {
    records = recordDiff(f.path, f.before, f.after, patch, redactor);
  } catch {
    records = undefined; // not records after all (a damaged file being restored): say how much changed
  }
  return records ?? `Index: ${f.path}\n${f.path}: ${lineCount(f.before)} → ${lineCount(f.after)} lines (${f.beforeSha.slice(0, 12)} → ${f.afterSha.slice(0, 12)}); too large to show line by line\n`;
}

function lineCount(text: string): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** The plan's changes as unified diffs; `redactor` masks every secret (the file texts hold device tokens). */
export async function planDiff(plan: Plan, redactor: Redactor): Promise<string> {
  const { createTwoFilesPatch } = await import('diff');
  const parts: string[] = [];
  for (const f of plan.files) parts.push(fileDiff(f, redactor, createTwoFilesPatch));
  for (const r of plan.rows) {
    const name = `${plan.sqlite?.db ?? 'openclaw.sqlite'}:${r.table}[${Object.values(r.key).join('/')}]`;
    parts.push(createTwoFilesPatch(name, name, rowText(r.before, redactor), rowText(r.after, redactor), 'before', r.after ? 'after' : 'deleted', { context: 40 }));
  }
  return parts.join('\n');
}
