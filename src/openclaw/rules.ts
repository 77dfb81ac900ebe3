/**
 * How the installed OpenClaw judges a paired device, by era (see the shared notes §2): which scope
 * algebra applies, which field holds the approved scopes, and when a role counts as approved. Pure.
 */
import type { EraInfo, PairedDevice, SpawnCall } from '../types.js';
import type { ScopeRules } from '../util/scopes.js';
import { parseVersion } from './version.js';

type HasEra = { era: EraInfo };

function oldEra(s: HasEra): boolean {
  return s.era.era === 'E0' || s.era.era === 'E1' || s.era.era === 'E2' || s.era.era === 'E3';
}

/** Which scope algebra the installed OpenClaw applies (2.19–2.21: admin does not cover write). */
export function rulesFor(s: HasEra): ScopeRules {
  return s.era.era === 'E2' ? 'e2' : 'modern';
}

/** The scopes the gateway checks for a device in this era (`approvedScopes ?? scopes` from 4.x on). */
export function baselineScopes(s: HasEra, d: PairedDevice): string[] {
  return (oldEra(s) ? (d.scopes ?? d.approvedScopes) : (d.approvedScopes ?? d.scopes)) ?? [];
}

/**
 * Whether the device holds the role as OpenClaw judges it. From 4.x a role counts only while an
 * unrevoked token for it exists (`listEffectivePairedDeviceRoles`); before that, `roles` alone.
 */
export function roleApproved(s: HasEra, d: PairedDevice, role = 'operator'): boolean {
  const roles = d.roles.length ? d.roles : d.role ? [d.role] : [];
  if (oldEra(s)) return roles.length === 0 || roles.includes(role);
  return roles.includes(role) && d.tokens.some((t) => t.role === role && t.revokedAtMs === undefined);
}


/**
 * The calls a sub-agent spawn makes over WebSocket with the state dir's own identity
 * (`identity/device.json`, client `gateway-client`, mode `backend`), measured on the real packages:
 * `sessions.patch` (operator.admin) then `agent` (operator.write), from 2026.2.19 up to 2026.4.24.
 * From 4.25 loopback backend calls send no device identity, and from 6.x spawns are dispatched
 * in-process; before 2.19 the sub-agent asked for its fixed scopes in one request. undefined: the
 * spawn does not go through the identity's pairing on this version (or the version is unknown).
 */
export function spawnCalls(version: string | undefined): SpawnCall[] | undefined {
  const v = parseVersion(version);
  if (!v || v.year !== 2026) return undefined;
  const n = v.month * 100 + v.patch;
  if (n < 219 || n > 424) return undefined;
  return [
    { call: 'sessions.patch', scope: 'operator.admin' },
    { call: 'agent', scope: 'operator.write' },
  ];
}
