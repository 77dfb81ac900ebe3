/**
 * pending-expired: requests a user may try to approve that the gateway has already dropped (5 min TTL)
 * or replaced with a newer request for the same device; approving such an id fails with "unknown requestId".
 * A store can hold tens of thousands of them (a client retrying in a loop): the finding counts them and
 * shows the newest few as examples, whatever their number.
 */
import type { Detector, Evidence, Finding, PendingRequest, Snapshot } from '../types.js';
import { list, shortId } from '../util/format.js';
import { findDevice, isExpired, labelOf } from '../snapshot/queries.js';
import { EXAMPLES } from './util.js';

const when = (p: PendingRequest) => p.refreshedAtMs ?? p.ts;

/** Each device's requests, oldest first, in one pass over the store (not one scan per device). */
function byDevice(pending: readonly PendingRequest[]): Map<string, PendingRequest[]> {
  const out = new Map<string, PendingRequest[]>();
  for (const p of pending) {
    const l = out.get(p.deviceId);
    if (l) l.push(p);
    else out.set(p.deviceId, [p]);
  }
  for (const l of out.values()) l.sort((a, b) => when(a) - when(b));
  return out;
}

function evidenceOf(s: Snapshot, stale: PendingRequest[]): Evidence[] {
  const source = s.store.paths[s.store.kind === 'json' ? 1 : 0];
  const shown = stale.slice(-EXAMPLES);
  const rest = stale.length - shown.length;
  return [
    ...(rest > 0 ? [{ kind: 'store' as const, text: `${rest} older stale request(s), the oldest from ${new Date(when(stale[0]!)).toISOString()} (not listed)`, ...(source ? { source } : {}) }] : []),
    ...shown.map((x) => ({
      kind: 'store' as const,
      text: `request ${x.requestId} for ${list(x.scopes)} from ${new Date(when(x)).toISOString()}${isExpired(s, x) ? ' (expired)' : ' (superseded)'}`,
      ...(source ? { source } : {}),
    })),
  ];
}

export const pendingExpired: Detector = {
  id: 'pending-expired',
  role: 'cause',
  detect(s) {
    if (!s.store.ok) return [];
    const findings: Finding[] = [];
    for (const [deviceId, all] of byDevice(s.store.pending)) {
      const expired = all.filter((x) => isExpired(s, x)).length;
      const live = all.length - expired;
      const superseded = Math.max(0, live - 1);
      if (!expired && !superseded) continue;
      // every request but the newest live one, oldest first (expired ones are always the older ones)
      const stale = live ? all.slice(0, -1) : all;
      const d = findDevice(s, deviceId);
      findings.push({
        id: 'pending-expired',
        severity: 'info',
        title: `Stale pairing request(s) for ${d ? labelOf(s, d) : shortId(deviceId)}`,
        detail:
          `${expired} request(s) older than 5 minutes${superseded ? ` and ${superseded} superseded by a newer one` : ''}. ` +
          'The gateway drops them; approving their ids fails with "unknown requestId". Retry the failing action, then approve the newest id.',
        evidence: evidenceOf(s, stale),
        device: { deviceId },
        suggestedFix: { kind: 'command', description: 'list the current requests and approve the newest exact id', command: 'openclaw devices list' },
      });
    }
    return findings;
  },
};
