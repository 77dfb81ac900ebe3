/**
 * first-time-pairing: a device that is not paired at all is refused (`reason=not-paired`). When this
 * hits the main session too it is a different problem from the sub-agent scope upgrade.
 */
import type { Detector, Evidence } from '../types.js';
import { newLocalIdentity } from './identity-facts.js';
import { gatewayStartMs, logFacts } from './log-facts.js';
import { findDevice, isExpired } from '../snapshot/queries.js';
import { list, shortId } from '../util/format.js';
import { logEvidence, Tail } from './util.js';

export const firstTimePairing: Detector = {
  id: 'first-time-pairing',
  role: 'cause',
  detect(s) {
    const facts = logFacts(s);
    const start = gatewayStartMs(s);
    // This machine's regenerated identity is not a first-time device: identity-changed names it.
    const renewed = newLocalIdentity(s)?.deviceId;
    const byDevice = new Map<string, { evidence: Tail<Evidence>; requestId?: string; scopes?: string[] }>();
    for (const r of facts.refusals) {
      if (r.reason !== 'not-paired' || (start !== undefined && r.ev.timeMs < start)) continue;
      const id = r.deviceId ?? 'unknown';
      if (r.deviceId && ((s.store.ok && findDevice(s, r.deviceId)) || r.deviceId === renewed)) continue;
      const cur = byDevice.get(id) ?? { evidence: new Tail<Evidence>() };
      cur.evidence.push(() => logEvidence(r.ev));
      if (r.requestId) cur.requestId = r.requestId;
      byDevice.set(id, cur);
    }
    if (s.store.ok) {
      for (const p of s.store.pending) {
        // The guide's {"devices":[…]} store (often keyed `id`): a request OpenClaw made as a repair (isRepair)
        // was for a paired device; the shape is the problem (store-unreadable says so), not a first pairing.
        const wrapped = s.store.shape === 'devices-wrapper' && p.isRepair === true;
        if (findDevice(s, p.deviceId) || isExpired(s, p) || wrapped || p.deviceId === renewed) continue;
        const cur = byDevice.get(p.deviceId) ?? { evidence: new Tail<Evidence>() };
        cur.evidence.push(() => ({ kind: 'store', text: `pending first-time request ${p.requestId} (client ${p.clientId ?? 'unknown'}) for ${list(p.scopes)}`, source: s.store.paths[s.store.kind === 'json' ? 1 : 0] }));
        cur.requestId = p.requestId;
        cur.scopes = p.scopes;
        byDevice.set(p.deviceId, cur);
      }
    }
    return [...byDevice.entries()].map(([deviceId, v]) => ({
      id: 'first-time-pairing' as const,
      severity: 'warning' as const,
      title: `Device ${deviceId === 'unknown' ? '' : `${shortId(deviceId)} `}is not paired yet (first-time pairing)`,
      detail:
        'This device was never approved, so every connection it makes is refused, main chat included. That is first-time pairing, a different problem from a sub-agent ' +
        'scope upgrade: approve the request from an authorized client. clawfix does not approve unknown devices on its own.',
      evidence: v.evidence.list(),
      ...(deviceId !== 'unknown' ? { device: { deviceId } } : {}),
      ...(v.requestId ? { requestId: v.requestId } : {}),
      ...(v.scopes ? { requestedScopes: v.scopes } : {}),
      suggestedFix: v.requestId
        ? { kind: 'command' as const, description: 'approve this exact request if you recognise the device', command: `openclaw devices approve ${v.requestId}` }
        : { kind: 'command' as const, description: 'list requests and approve the exact id if you recognise the device', command: 'openclaw devices list' },
    }));
  },
};
