/**
 * What `clawfix edit-config` checks in the text the user saved: it is UTF-8 and JSON5 (an error names
 * the line and column), and it does not carry the config hazards behind "pairing required" and its
 * bad workarounds. Every hazard names the line of its key. Pure: text in, findings out.
 */
import JSON5 from 'json5';
import { keyPositions } from './json5-keys.js';
import { get, getString } from '../openclaw/config.js';
import { json5Problem } from '../openclaw/json-format.js';
import { bindReplacement, hostOf, isLoopbackHost, VALID_BINDS } from '../openclaw/config-rules.js';

export interface Hazard {
  /** Stable id, e.g. `invalid-bind`. */
  id: string;
  /** Errors block the install; warnings need a confirmation (or --yes). */
  severity: 'error' | 'warning';
  /** Dotted key path, e.g. `gateway.bind`. */
  key: string;
  line?: number;
  column?: number;
  message: string;
  /** The replacement to write, when there is one. */
  fix?: string;
  /** True when the original config had the same hazard (reported, but this edit did not cause it). */
  preexisting?: boolean;
}

export interface Validation {
  ok: boolean;
  value?: Record<string, unknown>;
  hazards: Hazard[];
}

/** Every path whose last key is `name`, with its value. */
function findKeys(v: unknown, name: string, path: string[] = []): { path: string; value: unknown }[] {
  const out: { path: string; value: unknown }[] = [];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...findKeys(x, name, [...path, String(i)])));
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (k === name) out.push({ path: [...path, k].join('.'), value: x });
      out.push(...findKeys(x, name, [...path, k]));
    }
  }
  return out;
}

type Found = Omit<Hazard, 'line' | 'column'>;

function bindHazards(cfg: Record<string, unknown>): Found[] {
  const bind = get(cfg, 'gateway.bind');
  if (bind === undefined || (typeof bind === 'string' && (VALID_BINDS as readonly string[]).includes(bind))) return [];
  const shown = typeof bind === 'string' ? `"${bind}"` : JSON.stringify(bind);
  const fix = typeof bind === 'string' ? bindReplacement(bind) : 'loopback';
  return [
    {
      id: 'invalid-bind',
      severity: 'error',
      key: 'gateway.bind',
      fix,
      message:
        `gateway.bind is ${shown}, which OpenClaw does not accept (valid: ${VALID_BINDS.join(', ')}): use "${fix}"` +
        (fix === 'lan' ? ' (all interfaces)' : fix === 'loopback' ? ' (this machine only)' : '') +
        ', or "custom" with gateway.customBindHost for one specific address',
    },
  ];
}

function authHazards(cfg: Record<string, unknown>): Found[] {
  const out: Found[] = [];
  if (getString(cfg, 'gateway.auth.mode') === 'none') {
    out.push({
      id: 'auth-none',
      severity: 'error',
      key: 'gateway.auth.mode',
      fix: 'token',
      message:
        'gateway.auth.mode is "none": anyone who can reach the port controls the gateway, and it does not cure "pairing required" (on 2026.4–7.x it brings the sub-agent failure back). Keep "token" and approve the device instead (clawfix fix)',
    });
  }
  for (const hit of findKeys(cfg, 'dangerouslyDisableDeviceAuth')) {
    if (hit.value !== true) continue;
    out.push({
      id: 'device-auth-disabled',
      severity: 'error',
      key: hit.path,
      fix: 'false',
      message: `${hit.path} is true: device identity checks are switched off for that surface, so any client that knows the shared secret acts as an approved device. Remove it and approve the device instead (clawfix fix)`,
    });
  }
  return out;
}

function pairingPathHazards(cfg: Record<string, unknown>): Found[] {
  const out: Found[] = [];
  const remote = getString(cfg, 'gateway.remote.url');
  if (remote !== undefined && getString(cfg, 'gateway.mode') === 'local') {
    const host = hostOf(remote);
    const loop = host !== undefined && isLoopbackHost(host);
    out.push({
      id: 'remote-url-on-gateway-host',
      severity: loop ? 'warning' : 'error',
      key: 'gateway.remote.url',
      message: loop
        ? `gateway.remote.url (${remote}) is set on the gateway host (gateway.mode "local"); it points at loopback, so it is harmless but unnecessary: local clients connect to ws://127.0.0.1:<port> anyway`
        : `gateway.remote.url (${remote}) is set on the gateway host (gateway.mode "local"): local clients then connect through a non-loopback URL, and such connections are never approved silently (every new scope waits for approval: "pairing required"). Remove it on this machine; it belongs in the config of machines that use this gateway remotely`,
    });
  }
  if (get(cfg, 'gateway.nodes.pairing.autoApproveLocal') === false) {
    out.push({
      id: 'auto-approve-local-off',
      severity: 'warning',
      key: 'gateway.nodes.pairing.autoApproveLocal',
      message:
        'gateway.nodes.pairing.autoApproveLocal is false: on OpenClaw 2026.8+ local scope upgrades (the gateway\'s own sub-agents asking for operator.write) then wait for an explicit approval, so sub-agents get "pairing required" until you approve each one. Leave it out (default true) unless you want that',
    });
  }
  return out;
}

/** The hazards in a parsed config (no line numbers yet). */
export function configHazards(cfg: Record<string, unknown>): Found[] {
  return [...bindHazards(cfg), ...authHazards(cfg), ...pairingPathHazards(cfg)];
}

/**
 * Validate saved config text. `original` (the text before the edit) turns hazards that were already
 * there into warnings: the edit did not cause them, and blocking it would block unrelated changes.
 */
export function validateConfigText(text: string, original?: string): Validation {
  let value: unknown;
  try {
    value = JSON5.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    const e = err as { lineNumber?: number; columnNumber?: number };
    return {
      ok: false,
      hazards: [
        {
          id: 'syntax',
          severity: 'error',
          key: '',
          ...(e.lineNumber !== undefined ? { line: e.lineNumber } : {}),
          ...(e.columnNumber !== undefined ? { column: e.columnNumber } : {}),
          message: `not valid JSON5: ${json5Problem(err)}`,
        },
      ],
    };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, hazards: [{ id: 'not-object', severity: 'error', key: '', line: 1, message: 'the config must be a JSON5 object ({ … })' }] };
  }
  const cfg = value as Record<string, unknown>;
  let before: Set<string> | undefined;
  if (original !== undefined) {
    try {
      const o = JSON5.parse(original.replace(/^\uFEFF/, '')) as unknown;
      if (o && typeof o === 'object' && !Array.isArray(o)) before = new Set(configHazards(o as Record<string, unknown>).map((h) => `${h.id} ${h.key}`));
    } catch {
      /* the original did not parse: every hazard is new */
    }
  }
  const pos = keyPositions(text);
  const hazards: Hazard[] = configHazards(cfg).map((h) => {
    const p = pos.get(h.key);
    const pre = before?.has(`${h.id} ${h.key}`) ?? false;
    return {
      ...h,
      ...(pre ? { severity: 'warning' as const, preexisting: true } : {}),
      ...(p ? { line: p.line, column: p.column } : {}),
    };
  });
  return { ok: !hazards.some((h) => h.severity === 'error'), value: cfg, hazards };
}

/** Strict UTF-8 decoding (a BOM is kept, so the bytes round-trip exactly); undefined when the bytes are not UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
