/**
 * Undoing a repair without taking away what came after it: a three-way merge, record by record, of
 * the state before the repair (the backup), what the repair wrote, and the state now. A record the
 * repair changed and nobody touched since goes back; a record only someone else changed (a phone
 * paired later, a new request) stays as it is now; a record both changed is a conflict, and the user
 * decides (--force takes the old file or rows whole). Pure.
 */
import { detectFormat, parseJsonText, serializeLike } from '../openclaw/json-format.js';
import { canonical } from '../util/hash.js';
import { isObject } from '../util/guards.js';

export interface MergeResult {
  /** The merged text (undefined when the files do not have a mergeable shape). */
  text?: string;
  /** Keys (records) the repair changed that were changed again since. */
  conflicts: string[];
  /** Records someone else changed after the repair, kept as they are now. */
  kept: string[];
}

const same = (a: unknown, b: unknown) => canonical(a ?? null) === canonical(b ?? null);

function objectOf(text: string): Record<string, unknown> | undefined {
  try {
    const v = parseJsonText(text);
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Three-way merge of JSON objects keyed by record (paired.json, pending.json, device-auth.json). */
export function mergeRecords(before: string, wrote: string, now: string): MergeResult {
  const [b, a, c] = [objectOf(before), objectOf(wrote), objectOf(now)];
  if (!b || !a || !c) return { conflicts: [], kept: [] };
  const conflicts: string[] = [];
  const kept: string[] = [];
  const out: Record<string, unknown> = {};
  const keys = [...Object.keys(c), ...Object.keys(b).filter((k) => !(k in c))];
  for (const k of keys) {
    const [bk, ak, ck] = [b[k], a[k], c[k]];
    if (same(ck, ak) || same(ck, bk)) {
      if (bk !== undefined) out[k] = bk; // the repair's change undone (or already undone)
    } else if (same(ak, bk)) {
      if (ck !== undefined) out[k] = ck; // untouched by the repair: what came later stays
      kept.push(k);
    } else conflicts.push(k);
  }
  return { text: serializeLike(out, detectFormat(now)), conflicts, kept };
}

/** A row: back to its pre-image only if it still holds what the repair left. */
export function mergeRow(pre: unknown, wrote: unknown, now: unknown): 'restore' | 'keep' | 'conflict' {
  if (same(now, pre)) return 'keep';
  if (same(now, wrote)) return 'restore';
  return 'conflict';
}
