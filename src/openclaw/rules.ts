/**
 * How the installed OpenClaw judges a paired device, by era (see the shared notes §2): which scope
 * algebra applies, which field holds the approved scopes, and when a role counts as approved. Pure.
 */
import type { EraInfo, PairedDevice } from '../types.js';
import type { ScopeRules } from '../util/scopes.js';

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
