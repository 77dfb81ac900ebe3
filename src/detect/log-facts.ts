/**
 * Turns raw log events into the facts detectors reason about (audits, approvals, refusals, token
 * errors, reloads). Pure; results are memoized per snapshot because several detectors share them.
 */
import type { LogEvent, Snapshot } from '../types.js';
import { shortId } from '../util/format.js';
import { parseScopeList } from '../util/scopes.js';

export interface Audit {
  ev: LogEvent;
  reason: string;
  deviceId: string;
  auth: string;
  ip: string;
  roleFrom: string;
  roleTo: string;
  scopesFrom: string[];
  scopesTo: string[];
  client: string;
  /** The connection id, when the line names it (`conn=`). */
  conn?: string;
  /** The scope lists as the line wrote them. */
  raw: { scopesFrom: string; scopesTo: string };
}

export interface Approval {
  ev: LogEvent;
  deviceId: string;
  auto: boolean;
}

export interface Refusal {
  ev: LogEvent;
  deviceId?: string;
  requestId?: string;
  reason?: string;
  cause?: string;
}

export interface LogFacts {
  audits: Audit[];
  approvals: Approval[];
  refusals: Refusal[];
  tokenMismatch: LogEvent[];
  scopeMismatch: LogEvent[];
  gatewayTokenMismatch: LogEvent[];
  reloads: LogEvent[];
  legacyStore: LogEvent[];
  /** The gateway could not read a JSON state file (`JsonFileReadError`). */
  jsonReadErrors: LogEvent[];
  targets: { ev: LogEvent; url: string }[];
  starts: LogEvent[];
}

const AUDIT_RE =
  /security audit: device access upgrade requested reason=(\S+) device=(\S+) ip=(\S+) auth=(\S+) roleFrom=(\S+) roleTo=(\S+) scopesFrom=(\S+) scopesTo=(\S+) client=(\S+)(?: conn=(\S+))?/;
const APPROVED_RE = /device pairing (auto-)?approved device=([0-9a-zA-Z_-]+)/;
const KV_RE = /\b(deviceId|requestId|reason|cause)=([^\s]+)/g;

const cache = new WeakMap<Snapshot, LogFacts>();

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : undefined;
}

/** The facts of a `security audit: device access upgrade requested` line, or undefined for any other line. */
export function parseAudit(ev: LogEvent): Audit | undefined {
  const a = AUDIT_RE.exec(ev.text);
  if (!a) return undefined;
  return {
    ev,
    reason: a[1]!,
    deviceId: a[2]!,
    ip: a[3]!,
    auth: a[4]!,
    roleFrom: a[5]!,
    roleTo: a[6]!,
    scopesFrom: parseScopeList(a[7]!),
    scopesTo: parseScopeList(a[8]!),
    client: a[9]!,
    ...(a[10] ? { conn: a[10] } : {}),
    raw: { scopesFrom: a[7]!, scopesTo: a[8]! },
  };
}

/** A `closed before connect` / `pairing required` line, with what its structured meta or key=value pairs say. */
function refusal(ev: LogEvent): Refusal | undefined {
  const t = ev.text;
  const meta = ev.meta ?? {};
  const r: Refusal = { ev };
  const kv: Record<string, string> = {};
  for (const m of t.matchAll(KV_RE)) kv[m[1]!] = m[2]!;
  const deviceId = str(meta.deviceId) ?? kv.deviceId;
  const requestId = str(meta.requestId) ?? kv.requestId;
  const reason = str(meta.reason) ?? (kv.reason && kv.reason !== 'pairing' ? kv.reason : undefined);
  const cause = str(meta.cause) ?? kv.cause;
  if (deviceId) r.deviceId = deviceId;
  if (requestId) r.requestId = requestId;
  if (reason) r.reason = reason;
  if (cause) r.cause = cause;
  if (/device is not approved yet/.test(t) && !r.reason) r.reason = 'not-paired';
  if (/asking for more scopes/.test(t) && !r.reason) r.reason = 'scope-upgrade';
  return r.cause === 'pairing-required' || /pairing required/.test(t) ? r : undefined;
}

/** The facts of one line that is neither an audit nor an approval. */
function classify(ev: LogEvent, f: LogFacts): void {
  const t = ev.text;
  if (t.includes('closed before connect') || t.includes('pairing required')) {
    const r = refusal(ev);
    if (r) f.refusals.push(r);
  }
  if (/device_token_mismatch|AUTH_DEVICE_TOKEN_MISMATCH|device token mismatch/.test(t) || ev.meta?.authReason === 'device_token_mismatch') {
    f.tokenMismatch.push(ev);
  } else if (/scope_mismatch|AUTH_SCOPE_MISMATCH|device token scope mismatch/.test(t)) {
    f.scopeMismatch.push(ev);
  } else if (/gateway token mismatch/.test(t)) {
    f.gatewayTokenMismatch.push(ev);
  }
  if (/config change detected|hot reload applied|config change requires gateway restart|received SIGUSR1|\[reload\]/.test(t) || ev.subsystem === 'reload') {
    f.reloads.push(ev);
  }
  if (/Legacy pairing stores? require/.test(t)) f.legacyStore.push(ev);
  if (t.includes('JsonFileReadError')) f.jsonReadErrors.push(ev);
  const target = /Gateway target: (\S+)/.exec(t);
  if (target) f.targets.push({ ev, url: target[1]! });
  if (/listening on (ws|http)/.test(t)) f.starts.push(ev);
}

export function logFacts(s: Snapshot): LogFacts {
  const hit = cache.get(s);
  if (hit) return hit;
  const f: LogFacts = { audits: [], approvals: [], refusals: [], tokenMismatch: [], scopeMismatch: [], gatewayTokenMismatch: [], reloads: [], legacyStore: [], jsonReadErrors: [], targets: [], starts: [] };
  for (const ev of s.logs.events) {
    const a = parseAudit(ev);
    if (a) {
      f.audits.push(a);
      continue;
    }
    const ap = APPROVED_RE.exec(ev.text);
    if (ap) {
      f.approvals.push({ ev, deviceId: ap[2]!, auto: !!ap[1] });
      continue;
    }
    classify(ev, f);
  }
  cache.set(s, f);
  return f;
}

/** When the running gateway started, from the lock file or its last "listening on" line. */
export function gatewayStartMs(s: Snapshot): number | undefined {
  if (s.gateway.startedAtMs !== undefined) return s.gateway.startedAtMs;
  const starts = logFacts(s).starts;
  return starts.length ? starts[starts.length - 1]!.timeMs : undefined;
}

/** One line of a log event, cut at `max`; 64-hex device ids are shortened first, so they do not eat the rest. */
export function excerpt(ev: LogEvent, max = 240): string {
  const t = ev.text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\b[0-9a-f]{64}\b/g, (id) => shortId(id));
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}


/** The connection a log line is about (`conn=<id>` in the text, or connId in its meta), when it names one. */
export function connOf(ev: LogEvent): string | undefined {
  return /\bconn=([0-9A-Za-z_-]+)/.exec(ev.text)?.[1] ?? str(ev.meta?.connId);
}

/**
 * One event per connection (the last line of each): OpenClaw logs one refused connect several times
 * (`[ws] unauthorized conn=X …` and `closed before connect conn=X …`, an audit line and its close).
 * Lines that name no connection count one each. Oldest first.
 */
export function perConnection(events: readonly LogEvent[]): LogEvent[] {
  const last = new Map<string, number>();
  events.forEach((e, i) => {
    const c = connOf(e);
    if (c) last.set(c, i);
  });
  return events.filter((e, i) => {
    const c = connOf(e);
    return !c || last.get(c) === i;
  });
}
