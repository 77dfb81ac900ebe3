/**
 * OpenClaw's operator scope algebra (2026.4.21+): `operator.admin` satisfies every `operator.*`,
 * `operator.write` satisfies `operator.read`, everything else needs an exact match.
 */

export const ADMIN = 'operator.admin';
export const WRITE = 'operator.write';
export const READ = 'operator.read';

export const KNOWN_SCOPES: readonly string[] = [
  READ,
  WRITE,
  ADMIN,
  'operator.approvals',
  'operator.pairing',
  'operator.talk',
  'operator.talk.secrets',
  'operator.questions',
  'operator.sessions.read',
  'operator.sessions.write',
];

/**
 * 'modern' (2026.2.22+): admin covers every operator.*, write covers read.
 * 'e2' (2026.2.19–2.21, the bug era): read is covered by read/write/admin, everything else needs an
 * exact match — operator.admin does NOT cover operator.write there.
 */
export type ScopeRules = 'modern' | 'e2';

export function scopeSatisfied(requested: string, granted: ReadonlySet<string>, rules: ScopeRules = 'modern'): boolean {
  if (granted.has(requested)) return true;
  if (requested === READ) return granted.has(WRITE) || granted.has(ADMIN);
  if (rules === 'modern' && requested.startsWith('operator.') && granted.has(ADMIN)) return true;
  return false;
}

/** The requested scopes that `granted` does not cover, in request order, de-duplicated. */
export function missingScopes(requested: readonly string[], granted: readonly string[], rules: ScopeRules = 'modern'): string[] {
  const have = new Set(granted);
  const out: string[] = [];
  for (const s of requested) {
    if (!scopeSatisfied(s, have, rules) && !out.includes(s)) out.push(s);
  }
  return out;
}

/**
 * The smallest set to add so that `granted` covers `requested`: the missing scopes, minus those a
 * scope being added already implies (asking for read+write needs only write).
 */
export function minimalGrant(requested: readonly string[], granted: readonly string[], rules: ScopeRules = 'modern'): string[] {
  const missing = missingScopes(requested, granted, rules);
  return missing.filter((s) => !missing.some((o) => o !== s && scopeSatisfied(s, new Set([o]), rules)));
}

export function sortedUnion(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])].sort();
}

/** Union that keeps the existing order and appends new entries (the least surprising diff). */
export function appendUnique(existing: readonly string[], add: readonly string[]): string[] {
  const out = [...existing];
  for (const s of add) if (!out.includes(s)) out.push(s);
  return out;
}

export function parseScopeList(text: string): string[] {
  if (text === '<none>') return [];
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function isKnownScope(s: string): boolean {
  return KNOWN_SCOPES.includes(s);
}
