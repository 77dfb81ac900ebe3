/** Type guards for data read from files OpenClaw (or a user) wrote: nothing is trusted to have its type. */

export function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** A list of strings (what OpenClaw writes for scopes and roles). */
export function isStringList(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

/** The strings of a list, anything else dropped ([] for a non-list). */
export function strings(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  // an exact-size copy (filter() over-allocates, which 80 000 scope lists of a big store feel)
  return isStringList(v) ? v.slice() : v.filter((x): x is string => typeof x === 'string');
}
