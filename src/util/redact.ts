/**
 * Secrets never leave the files. Every string clawfix prints, logs or journals passes through
 * `redact`, which removes token-like values; callers can also register exact secrets (tokens read
 * from the store, the gateway token) so they are masked wherever they appear.
 */

const registered = new Set<string>();

/** Remember an exact secret so `redact` masks it anywhere (tokens, keys, the gateway token). */
export function registerSecret(value: unknown): void {
  if (typeof value === 'string' && value.length >= 6) registered.add(value);
}

const MASK = '‹redacted›';

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

export function redact(text: string): string {
  let out = text;
  for (const secret of registered) {
    if (out.includes(secret)) out = out.split(secret).join(MASK);
  }
  for (const re of PATTERNS) {
    out = out.replace(re, (match: string, prefix?: string, quote?: string) => {
      if (match.startsWith('-----BEGIN')) return MASK;
      if (typeof prefix === 'string' && typeof quote === 'string' && (quote === '"' || quote === "'")) {
        return `${prefix}${quote}${MASK}${quote}`;
      }
      if (typeof prefix === 'string') return `${prefix}${MASK}`;
      return MASK;
    });
  }
  return out;
}

/** Deep-redact a JSON-able value: secret-named keys are masked, every string is passed through `redact`. */
export function redactValue<T>(value: T): T {
  const SECRET_KEYS = /^(token|password|secret|privateKey|privateKeyPem|private_key_pem|apiKey|deviceToken)$/i;
  const walk = (v: unknown, key?: string): unknown => {
    if (typeof v === 'string') return key !== undefined && SECRET_KEYS.test(key) ? MASK : redact(v);
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

export { MASK as REDACTED };
