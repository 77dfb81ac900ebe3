/**
 * role-upgrade: a paired device whose operator role OpenClaw no longer counts (≥ 4.x: no unrevoked
 * `tokens.operator`; or `operator` missing from its roles). Every connection is then a role upgrade,
 * refused with 1008 "pairing required" whatever its scopes; widening scopes cannot fix it, and clawfix
 * never mints tokens, so the fix is OpenClaw's own approve (which re-issues the token) or rotate.
 */
import type { Detector, Evidence, Finding } from '../types.js';
import { logFacts } from './log-facts.js';
import { findDevice, isExpired, labelOf, pendingFor } from '../snapshot/queries.js';
import { logEvidence, Tail } from './util.js';
import { roleApproved } from '../openclaw/rules.js';

export const roleUpgrade: Detector = {
  id: 'role-upgrade',
  role: 'cause',
  detect(s) {
    if (!s.store.ok) return [];
    const facts = logFacts(s);
    const implicated = new Map<string, Tail<Evidence>>();
    const note = (id: string, e: () => Evidence) => {
      const tail = implicated.get(id) ?? new Tail<Evidence>();
      implicated.set(id, tail);
      tail.push(e);
    };
    for (const a of facts.audits) {
      const approvedAfter = facts.approvals.some((ap) => ap.deviceId === a.deviceId && ap.ev.timeMs >= a.ev.timeMs);
      if (!approvedAfter) note(a.deviceId, () => logEvidence(a.ev));
    }
    for (const p of s.store.pending) if (!isExpired(s, p)) note(p.deviceId, () => ({ kind: 'store', text: `pending request ${p.requestId} (client ${p.clientId ?? 'unknown'})`, source: s.store.paths[s.store.kind === 'json' ? 1 : 0] }));
    const out: Finding[] = [];
    for (const [deviceId, tail] of implicated) {
      const d = findDevice(s, deviceId);
      if (!d || roleApproved(s, d)) continue;
      const tok = d.tokens.find((t) => t.role === 'operator');
      const why = !d.roles.includes('operator') && d.role !== 'operator' ? 'it lacks the operator role' : tok ? 'its operator token was revoked' : 'it has no operator token';
      const pending = pendingFor(s, deviceId).filter((p) => !isExpired(s, p));
      const latest = pending[pending.length - 1];
      out.push({
        id: 'role-upgrade',
        severity: 'error',
        title: `Device ${labelOf(s, d)} is refused as a role upgrade: ${why}`,
        detail:
          `OpenClaw counts a device's role only while it holds an unrevoked token for it, so every connection of this device is a role upgrade and is refused ` +
          'with 1008 "pairing required", whatever scopes it asks for. Adding scopes cannot fix that, and clawfix does not mint tokens: let OpenClaw re-issue one.',
        evidence: [...tail.list(), { kind: 'store', text: `roles ${d.roles.join(', ') || '(none)'}; operator token ${tok ? (tok.revokedAtMs !== undefined ? 'revoked' : 'present') : 'missing'}`, source: s.store.paths[0] }],
        device: { deviceId, ...(d.displayName ? { displayName: d.displayName } : {}) },
        ...(latest ? { requestId: latest.requestId } : {}),
        suggestedFix: latest
          ? { kind: 'command', description: 'approve the exact pending request (OpenClaw re-issues the operator token)', command: `openclaw devices approve ${latest.requestId}` }
          : { kind: 'command', description: 're-issue the operator token', command: `openclaw devices rotate --device ${deviceId} --role operator` },
      });
    }
    return out;
  },
};
