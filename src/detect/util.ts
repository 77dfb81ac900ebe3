/** Small pure helpers shared by detectors. */
import type { Evidence, LogEvent, PairedDevice, PendingRequest, Snapshot } from '../types.js';
import { redact } from '../util/redact.js';
import type { ScopeRules } from '../util/scopes.js';
import { excerpt } from './log-facts.js';

export const PENDING_TTL_MS = 5 * 60 * 1000;

/** Which scope algebra the installed OpenClaw applies (2.19–2.21: admin does not cover write). */
export function rulesFor(s: Snapshot): ScopeRules {
  return s.era.era === 'E2' ? 'e2' : 'modern';
}

/** The scopes the gateway checks for a device in this era (`approvedScopes ?? scopes` from 4.x on). */
export function baselineScopes(s: Snapshot, d: PairedDevice): string[] {
  const oldEra = s.era.era === 'E0' || s.era.era === 'E1' || s.era.era === 'E2' || s.era.era === 'E3';
  return (oldEra ? (d.scopes ?? d.approvedScopes) : (d.approvedScopes ?? d.scopes)) ?? [];
}

export function findDevice(s: Snapshot, deviceId: string): PairedDevice | undefined {
  return s.store.paired.find((d) => d.deviceId === deviceId);
}

export function pendingFor(s: Snapshot, deviceId: string): PendingRequest[] {
  return s.store.pending.filter((p) => p.deviceId === deviceId).sort((a, b) => (a.refreshedAtMs ?? a.ts) - (b.refreshedAtMs ?? b.ts));
}

export function isExpired(s: Snapshot, p: PendingRequest): boolean {
  return s.takenAtMs - (p.refreshedAtMs ?? p.ts) > PENDING_TTL_MS;
}

export function logEvidence(ev: LogEvent): Evidence {
  return { kind: 'log', text: redact(excerpt(ev)), source: ev.file, timeMs: ev.timeMs };
}

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

/**
 * Whether the device holds the role as OpenClaw judges it. From 4.x a role counts only while an
 * unrevoked token for it exists (`listEffectivePairedDeviceRoles`); before that, `roles` alone.
 */
export function roleApproved(s: Snapshot, d: PairedDevice, role = 'operator'): boolean {
  const roles = d.roles.length ? d.roles : d.role ? [d.role] : [];
  const old = s.era.era === 'E0' || s.era.era === 'E1' || s.era.era === 'E2' || s.era.era === 'E3';
  if (old) return roles.length === 0 || roles.includes(role);
  return roles.includes(role) && d.tokens.some((t) => t.role === role && t.revokedAtMs === undefined);
}
