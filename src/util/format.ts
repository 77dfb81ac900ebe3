/** Small pure text helpers for messages: ids, device labels, scope lists, relative times. */

export function shortId(id: string): string {
  return id.length > 16 ? `${id.slice(0, 8)}…${id.slice(-4)}` : id;
}

export function deviceLabel(d: { deviceId: string; displayName?: string; clientId?: string }): string {
  const name = d.displayName ?? d.clientId;
  return name ? `${name} (${shortId(d.deviceId)})` : shortId(d.deviceId);
}

export function list(scopes: readonly string[]): string {
  return scopes.length ? scopes.join(', ') : '(none)';
}

export function ago(nowMs: number, thenMs: number): string {
  const s = Math.max(0, Math.round((nowMs - thenMs) / 1000));
  if (s < 90) return `${s}s ago`;
  const m = Math.round(s / 60);
  if (m < 90) return `${m} min ago`;
  return `${Math.round(m / 60)} h ago`;
}

/** The first `n` items of a list that may be huge, and how many more there are: "a, b, c and 35997 more". */
export function fewIds(ids: readonly string[], n = 3): string {
  if (ids.length <= n + 1) return ids.join(', ');
  return `${ids.slice(0, n).join(', ')} and ${ids.length - n} more`;
}
