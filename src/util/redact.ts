/**
 * Secrets never leave the files. Two layers: `redactPatterns` removes anything token-shaped (PEM
 * private keys, "token": "…" pairs in JSON/JSON5, key=value forms, Bearer headers) from any text, and
 * a `Redactor` also masks the exact secrets it was told about (the tokens and keys the snapshot read,
 * the gateway token). There is no global registry: the snapshot returns the secrets it saw, and the
 * output layer's redactor learns them.
 */

export const REDACTED = '‹redacted›';

const PATTERNS: RegExp[] = [
  // PEM blocks (private keys).
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
  // "token": "…", "password": "…", "privateKeyPem": "…" in JSON or JSON5 text.
  /(["']?(?:token|password|secret|privateKey(?:Pem)?|apiKey|deviceToken|gatewayToken)["']?\s*[:=]\s*)(["'])(?:\\.|(?!\2).)*\2/gi,
  // key=value forms in logs and env dumps.
  /\b((?:OPENCLAW_GATEWAY_TOKEN|OPENCLAW_GATEWAY_PASSWORD|token|password|deviceToken)=)[^\s&"']+/g,
  // Bearer headers.
  /(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/g,
];

/** Token-shaped values removed; pure. */
export function redactPatterns(text: string): string {
  let out = text;
  for (const re of PATTERNS) {
    out = out.replace(re, (match: string, prefix?: string, quote?: string) => {
      if (match.startsWith('-----BEGIN')) return REDACTED;
      if (typeof prefix === 'string' && typeof quote === 'string' && (quote === '"' || quote === "'")) {
        return `${prefix}${quote}${REDACTED}${quote}`;
      }
      if (typeof prefix === 'string') return `${prefix}${REDACTED}`;
      return REDACTED;
    });
  }
  return out;
}

const SECRET_KEYS = /^(token|password|secret|privateKey|privateKeyPem|private_key_pem|apiKey|deviceToken)$/i;

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
