/**
 * Secrets never leave the files. Two layers: `redactPatterns` removes anything token-shaped from any
 * text, and a `Redactor` also masks the exact secrets it was told about (the tokens and keys the
 * snapshot read, the gateway token). There is no global registry: the snapshot returns the secrets it
 * saw, and the output layer's redactor learns them.
 *
 * Token-shaped, whatever the syntax and whether the secret was ever read by clawfix (a token typed by
 * hand into a config that does not parse):
 *  - by key name: the value after a key whose last segment ends in token, password, passwd, secret,
 *    apiKey / api_key, privateKey(Pem), credential(s), accessKey — in JSON, JSON5 (quoted or bare),
 *    key=value, `key: value`, env dumps; a quoted value that never closes is masked to the line end;
 *  - by shape: a run of 24+ token characters (base64url, hex, `sk-…`) with digits and letters mixed,
 *    like a random token. Not masked: 64-hex ids (device ids, sha256), UUIDs (request and connection
 *    ids), names of short lowercase words (container and service names), paths, ISO times, scope
 *    names, backup ids;
 *  - PEM private-key blocks (to the end of the text when cut), Bearer credentials.
 */

export const REDACTED = '‹redacted›';

const SECRET_WORD = String.raw`(?:token|password|passwd|secret|api[_-]?key|private[_-]?key(?:[_-]?pem)?|credentials?|access[_-]?key)`;
/** A key's last segment ending in a secret word, after an optional dotted path (gateway.auth.token). */
const SECRET_KEY = String.raw`(?:[A-Za-z0-9_-]+\.)*[A-Za-z0-9_-]*${SECRET_WORD}`;
/** The value after the separator: a quoted string (to its closing quote, or to the line end when it never closes), or a bare word. */
const VALUE = String.raw`("(?:\\.|[^"\\\n])*(?:"|$)|'(?:\\.|[^'\\\n])*(?:'|$)|[^\s,;&}\]"'{\[][^\s,;&}\]]*)`;
const KEY_VALUES = [
  // "token": …, 'password': … (JSON, JSON5), anywhere in a line
  new RegExp(String.raw`((["'])${SECRET_KEY}\2\s*:\s*)${VALUE}`, 'gim'),
  // token: … where a config key stands (line start, a diff's +/-, a source gutter │, after { or ,), not in prose
  new RegExp(String.raw`((?:^[+-]?|[{,│])\s*${SECRET_KEY}\s*:\s*)${VALUE}`, 'gim'),
  // token=…, OPENCLAW_GATEWAY_TOKEN=… (logs, env dumps, URLs)
  new RegExp(String.raw`((?:^|[^A-Za-z0-9_.-])${SECRET_KEY}\s*=\s*)${VALUE}`, 'gim'),
];
/** Runs of characters tokens are made of (base64url, hex, `sk-…`, base64's `+` and `=` padding; not `/`, which paths are made of). */
const RUN = /[A-Za-z0-9_+-]{24,}={0,2}/g;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const HEX64 = /^[0-9a-f]{64}$/;

/**
 * A name made of short lowercase words (a container, a compose service, a host: `clawfix-e2e-2026-7-35-podman-249bfa`,
 * `myproject_openclaw-gateway_1`): three or more `-`/`_` separators, no segment over 16 characters, one of
 * them a word of letters, no capital letter. A random base64url
 * token of 24+ characters has no capital letter with a probability below 1e-5, and rarely three separators.
 */
function nameShaped(run: string): boolean {
  if (/[A-Z]/.test(run)) return false;
  const parts = run.split(/[-_]/);
  return parts.length >= 4 && parts.every((p) => p.length > 0 && p.length <= 16) && parts.some((p) => /^[a-z]{3,}$/.test(p));
}

/** Whether a run of token characters looks like a random secret rather than a word, an id, a name or a number. */
function tokenShaped(run: string): boolean {
  if (HEX64.test(run) || UUID.test(run) || nameShaped(run)) return false;
  let digits = 0;
  let letters = 0;
  const distinct = new Set<string>();
  for (const ch of run) {
    if (ch >= '0' && ch <= '9') digits++;
    else if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')) letters++;
    distinct.add(ch);
  }
  return digits >= 2 && letters >= 6 && distinct.size >= 12;
}

const PEM = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g;
const BEARER = /(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/g;

/** The key and separator kept, the value masked (its quotes kept); an already masked value as it is. */
function masked(match: string, prefix: string, value: string): string {
  const q = value[0];
  const quoted = q === '"' || q === "'";
  if ((quoted ? value.slice(1, value.endsWith(q!) && value.length > 1 ? -1 : undefined) : value) === REDACTED) return match;
  return quoted ? `${prefix}${q}${REDACTED}${value.length > 1 && value.endsWith(q!) ? q : ''}` : `${prefix}${REDACTED}`;
}

/** Token-shaped values removed (see the header); pure. */
export function redactPatterns(text: string): string {
  return text
    .replace(PEM, REDACTED)
    .replace(BEARER, (_m, p: string) => `${p}${REDACTED}`)
    .replace(KEY_VALUES[0]!, (m, prefix: string, _q: string, value: string) => masked(m, prefix, value))
    .replace(KEY_VALUES[1]!, (m, prefix: string, value: string) => masked(m, prefix, value))
    .replace(KEY_VALUES[2]!, (m, prefix: string, value: string) => masked(m, prefix, value))
    .replace(RUN, (run) => (tokenShaped(run) ? REDACTED : run));
}

/** JSON keys whose string values are masked whatever they hold (the same names as in text). */
const SECRET_KEYS = new RegExp(String.raw`^[A-Za-z0-9_-]*${SECRET_WORD}$`, 'i');

const KEY = 6;

/**
 * Masks the exact secrets it knows, then every token-shaped value. A store with 100 000 devices brings
 * 100 000 tokens: secrets are indexed by their first 6 characters, so masking costs one pass over the
 * text whatever their number (not one search per secret).
 */
export class Redactor {
  private readonly byPrefix = new Map<string, string[]>();
  private readonly known = new Set<string>();
  /** Buckets learned into since they were last sorted (longest first, so the longest match wins). */
  private readonly unsorted = new Set<string[]>();

  constructor(secrets: Iterable<unknown> = []) {
    this.learn(secrets);
  }

  /** Remember exact secrets (strings of 6+ characters; anything else is ignored). */
  learn(values: Iterable<unknown>): void {
    for (const v of values) {
      if (typeof v !== 'string' || v.length < KEY || this.known.has(v)) continue;
      this.known.add(v);
      const key = v.slice(0, KEY);
      const list = this.byPrefix.get(key) ?? [];
      if (!list.length) this.byPrefix.set(key, list);
      list.push(v);
      this.unsorted.add(list);
    }
  }

  private exact(text: string): string {
    if (!this.byPrefix.size || text.length < KEY) return text;
    for (const list of this.unsorted) list.sort((a, b) => b.length - a.length);
    this.unsorted.clear();
    let out = '';
    let from = 0;
    for (let i = 0; i + KEY <= text.length; ) {
      const hit = this.byPrefix.get(text.slice(i, i + KEY))?.find((s) => text.startsWith(s, i));
      if (!hit) {
        i++;
        continue;
      }
      out += text.slice(from, i) + REDACTED;
      i += hit.length;
      from = i;
    }
    return from === 0 ? text : out + text.slice(from);
  }

  text(text: string): string {
    return redactPatterns(this.exact(text));
  }

  /** Deep-redact a JSON-able value: secret-named keys are masked, every string is passed through `text`. */
  value<T>(value: T): T {
    const walk = (v: unknown, key?: string): unknown => {
      if (typeof v === 'string') return key !== undefined && SECRET_KEYS.test(key) ? REDACTED : this.text(v);
      if (Array.isArray(v)) return v.map((x) => walk(x));
      if (v && typeof v === 'object') {
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = walk(x, k);
        return out;
      }
      return v;
    };
    return walk(value) as T;
  }
}
