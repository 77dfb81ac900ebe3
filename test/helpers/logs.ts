/**
 * Builders for realistic OpenClaw gateway log lines, in the file format (tslog JSON lines) and the
 * console/journald format (`<ISO> [<subsystem>] <text>`). Templates follow the shared notes §3 and
 * reference §5 (2026.2.21 / 7.35 / 9.6 lines).
 */
import crypto from 'node:crypto';

export type LogFormat = 'json' | 'console';
export type Level = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL';
export type TimeInput = Date | string | number;

export interface LineOptions {
  /** Default: now. */
  time?: TimeInput;
  /** Default: 'json'. */
  format?: LogFormat;
}

const LEVEL_IDS: Record<Level, number> = { TRACE: 1, DEBUG: 2, INFO: 3, WARN: 4, ERROR: 5, FATAL: 6 };

export function iso(time: TimeInput = Date.now()): string {
  return (time instanceof Date ? time : new Date(time)).toISOString();
}

/**
 * One line. `subsystem` null = the root logger ("0" = message, _meta.name "openclaw"). With `meta`
 * the JSON line carries the object in "1" and the text in "2" (like `closed before connect`).
 */
export function line(opts: {
  subsystem: string | null;
  level?: Level;
  text: string;
  meta?: Record<string, unknown>;
  time?: TimeInput;
  format?: LogFormat;
}): string {
  const time = iso(opts.time);
  const level = opts.level ?? 'INFO';
  if ((opts.format ?? 'json') === 'console') {
    const tag = opts.subsystem === null ? '' : `[${opts.subsystem.replace(/^gateway\//, '')}] `;
    return `${time} ${tag}${opts.text}`;
  }
  const name = opts.subsystem === null ? 'openclaw' : JSON.stringify({ subsystem: opts.subsystem });
  const head: Record<string, unknown> =
    opts.subsystem === null
      ? { 0: opts.text }
      : opts.meta === undefined
        ? { 0: name, 1: opts.text }
        : { 0: name, 1: opts.meta, 2: opts.text };
  return JSON.stringify({
    ...head,
    _meta: {
      runtime: 'node',
      runtimeVersion: '24.21.0',
      hostname: 'unknown',
      name,
      parentNames: ['openclaw'],
      date: time,
      logLevelId: LEVEL_IDS[level],
      logLevelName: level,
    },
    time,
  });
}

export function formatAuditList(list: readonly string[]): string {
  const l = [...new Set(list.map((s) => s.trim()).filter(Boolean))].sort();
  return l.length ? l.join(',') : '<none>';
}

const uuid = () => crypto.randomUUID();

export function auditScopeUpgrade(o: {
  deviceId: string;
  from: readonly string[];
  to: readonly string[];
  client?: string;
  conn?: string;
  reason?: 'scope-upgrade' | 'role-upgrade';
  auth?: string;
  roleFrom?: readonly string[];
  time?: TimeInput;
  format?: LogFormat;
}): string {
  const text =
    `security audit: device access upgrade requested reason=${o.reason ?? 'scope-upgrade'} device=${o.deviceId} ` +
    `ip=unknown-ip auth=${o.auth ?? 'token'} roleFrom=${formatAuditList(o.roleFrom ?? ['operator'])} roleTo=operator ` +
    `scopesFrom=${formatAuditList(o.from)} scopesTo=${formatAuditList(o.to)} client=${o.client ?? 'gateway-client'} ` +
    `conn=${o.conn ?? uuid()}`;
  return line({ subsystem: 'gateway', level: 'WARN', text, time: o.time, format: o.format });
}

export type PairingReason = 'not-paired' | 'role-upgrade' | 'scope-upgrade' | 'metadata-upgrade';

export const PAIRING_REQUIREMENT: Record<PairingReason, string> = {
  'not-paired': 'device is not approved yet',
  'role-upgrade': 'device is asking for a higher role than currently approved',
  'scope-upgrade': 'device is asking for more scopes than currently approved',
  'metadata-upgrade': 'device identity changed and must be re-approved',
};

/**
 * `[ws] closed before connect … code=1008 reason=pairing required: … (requestId: …)`. `truncate`
 * cuts the close reason at 120 bytes like the real gateway (the requestId is then partial);
 * `legacy` gives the pre-4.20 plain `pairing required`.
 */
export function closedBeforeConnect(o: {
  deviceId: string;
  requestId: string;
  reason?: PairingReason;
  conn?: string;
  port?: number;
  truncate?: boolean;
  legacy?: boolean;
  time?: TimeInput;
  format?: LogFormat;
}): string {
  const reason = o.reason ?? 'scope-upgrade';
  const host = `127.0.0.1:${o.port ?? 18789}`;
  let close = o.legacy ? 'pairing required' : `pairing required: ${PAIRING_REQUIREMENT[reason]} (requestId: ${o.requestId})`;
  if (o.truncate) close = Buffer.from(close).subarray(0, 120).toString();
  return line({
    subsystem: 'gateway/ws',
    level: 'WARN',
    meta: {
      cause: 'pairing-required',
      handshake: 'failed',
      durationMs: 18,
      lastFrameType: 'req',
      lastFrameMethod: 'connect',
      lastFrameId: uuid(),
      host,
      deviceId: o.deviceId,
      requestId: o.requestId,
      reason,
    },
    text: `closed before connect conn=${o.conn ?? uuid()} remote=127.0.0.1 fwd=n/a origin=n/a host=${host} ua=n/a code=1008 reason=${close}`,
    time: o.time,
    format: o.format,
  });
}

export function notPaired(o: { deviceId: string; requestId: string; port?: number; time?: TimeInput; format?: LogFormat }): string {
  return closedBeforeConnect({ ...o, reason: 'not-paired' });
}

export function pairingApproved(o: { deviceId: string; role?: string; time?: TimeInput; format?: LogFormat }): string {
  return line({ subsystem: 'gateway', text: `device pairing approved device=${o.deviceId} role=${o.role ?? 'operator'}`, ...o });
}

export function autoApproved(o: { deviceId: string; role?: string; time?: TimeInput; format?: LogFormat }): string {
  return line({
    subsystem: 'gateway',
    text: `device pairing auto-approved device=${o.deviceId} role=${o.role ?? 'operator'}`,
    ...o,
  });
}

/** `[ws] unauthorized conn=… remote=127.0.0.1 client=gateway-client backend vdev reason=device_token_mismatch` */
export function deviceTokenMismatch(
  o: { conn?: string; client?: string; mode?: string; remote?: string; time?: TimeInput; format?: LogFormat } = {},
): string {
  const text =
    `unauthorized conn=${o.conn ?? uuid()} remote=${o.remote ?? '127.0.0.1'} client=${o.client ?? 'gateway-client'} ` +
    `${o.mode ?? 'backend'} vdev reason=device_token_mismatch`;
  return line({ subsystem: 'gateway/ws', level: 'WARN', text, time: o.time, format: o.format });
}

/** `[ws] unauthorized … auth=device-token device=yes … reason=scope_mismatch guidance=…` (9.x). */
export function scopeMismatch(
  o: { conn?: string; client?: string; mode?: string; time?: TimeInput; format?: LogFormat } = {},
): string {
  const text =
    `unauthorized conn=${o.conn ?? uuid()} remote=127.0.0.1 client=${o.client ?? 'gateway-client'} ${o.mode ?? 'backend'} vdev ` +
    `auth=device-token device=yes reason=scope_mismatch ` +
    `guidance=unauthorized: device token scope mismatch (re-pair or approve scope upgrade)`;
  return line({ subsystem: 'gateway/ws', level: 'WARN', text, time: o.time, format: o.format });
}

/** `[reload] config hot reload applied (gateway.auth.token)` */
export function hotReload(o: { keys?: readonly string[]; time?: TimeInput; format?: LogFormat } = {}): string {
  return line({
    subsystem: 'gateway/reload',
    text: `config hot reload applied (${(o.keys ?? ['gateway.auth.token']).join(', ')})`,
    time: o.time,
    format: o.format,
  });
}

/** `[reload] config change detected; evaluating reload (…)` */
export function configChangeDetected(o: { keys?: readonly string[]; time?: TimeInput; format?: LogFormat } = {}): string {
  return line({
    subsystem: 'gateway/reload',
    text: `config change detected; evaluating reload (${(o.keys ?? ['gateway.auth.token']).join(', ')})`,
    time: o.time,
    format: o.format,
  });
}

/** ≥ 2026.8: a leftover devices/paired.json is ignored. */
export function legacyStore(o: LineOptions = {}): string {
  return line({ subsystem: 'gateway', level: 'WARN', text: 'Legacy pairing stores require repair', ...o });
}

export function listening(o: { port?: number; pid?: number; time?: TimeInput; format?: LogFormat } = {}): string {
  return line({
    subsystem: 'gateway',
    text: `listening on ws://127.0.0.1:${o.port ?? 18789} (PID ${o.pid ?? 4242})`,
    time: o.time,
    format: o.format,
  });
}

/** Root-logger client line: `gateway connect failed: GatewayClientRequestError: scope upgrade pending approval (requestId: …)`. */
export function connectFailed(o: { requestId?: string; legacy?: boolean; time?: TimeInput; format?: LogFormat } = {}): string {
  const text = o.legacy
    ? 'gateway connect failed: Error: pairing required'
    : `gateway connect failed: GatewayClientRequestError: scope upgrade pending approval (requestId: ${o.requestId ?? uuid()})`;
  return line({ subsystem: null, level: 'ERROR', text, time: o.time, format: o.format });
}
