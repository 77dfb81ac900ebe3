import { createHash } from 'node:crypto';

export function sha256(data: string | Uint8Array): string {
  if (typeof data === 'string' && data.length > TEXT_CHUNK) return sha256Text(data);
  return createHash('sha256').update(data).digest('hex');
}

const TEXT_CHUNK = 1 << 20;

/**
 * sha256 of a text's UTF-8 bytes, encoded a megabyte at a time (hashing a 20 MB string in one call
 * first encodes all of it into a second 20 MB buffer). Chunks never split a surrogate pair, so the
 * result is the same as hashing the whole text at once.
 */
function sha256Text(text: string): string {
  const h = createHash('sha256');
  for (let i = 0; i < text.length; ) {
    let end = Math.min(text.length, i + TEXT_CHUNK);
    const c = text.charCodeAt(end - 1);
    if (end < text.length && c >= 0xd800 && c <= 0xdbff) end++;
    h.update(text.slice(i, end));
    i = end;
  }
  return h.digest('hex');
}

/** Deterministic JSON (sorted keys) for comparing records by meaning. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value as object)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
