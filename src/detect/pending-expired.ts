/**
 * pending-expired: requests a user may try to approve that the gateway has already dropped (5 min TTL)
 * or replaced with a newer request for the same device; approving such an id fails with "unknown requestId".
 */
import type { Detector, Finding } from '../types.js';
import { list, shortId } from '../util/format.js';
import { findDevice, isExpired, labelOf, pendingFor } from '../snapshot/queries.js';

export const pendingExpired: Detector = {
  id: 'pending-expired',
  role: 'cause',
  detect(s) {
    if (!s.store.ok) return [];
    const findings: Finding[] = [];
    const seen = new Set<string>();
    for (const p of s.store.pending) {
      if (seen.has(p.deviceId)) continue;
      seen.add(p.deviceId);
      const all = pendingFor(s, p.deviceId);
      const expired = all.filter((x) => isExpired(s, x));
      const live = all.filter((x) => !isExpired(s, x));
      const superseded = live.slice(0, -1);
      if (!expired.length && !superseded.length) continue;
      const d = findDevice(s, p.deviceId);
      findings.push({
        id: 'pending-expired',
        severity: 'info',
        title: `Stale pairing request(s) for ${d ? labelOf(s, d) : shortId(p.deviceId)}`,
        detail:
          `${expired.length} request(s) older than 5 minutes${superseded.length ? ` and ${superseded.length} superseded by a newer one` : ''}. ` +
          'The gateway drops them; approving their ids fails with "unknown requestId". Retry the failing action, then approve the newest id.',
        evidence: [...expired, ...superseded].map((x) => ({
          kind: 'store' as const,
          text: `request ${x.requestId} for ${list(x.scopes)} from ${new Date(x.refreshedAtMs ?? x.ts).toISOString()}${isExpired(s, x) ? ' (expired)' : ' (superseded)'}`,
          source: s.store.paths[s.store.kind === 'json' ? 1 : 0],
        })),
        device: { deviceId: p.deviceId },
        suggestedFix: { kind: 'command', description: 'list the current requests and approve the newest exact id', command: 'openclaw devices list' },
      });
    }
    return findings;
  },
};
