/**
 * The scope upgrades devices asked for and nobody approved, device by device: the shared fact behind
 * the scope-upgrade finding and the advice that it will happen again. Pure, memoized per snapshot.
 * Evidence: the gateway's audit line not followed by an approval for that device, and/or a pending
 * repair request whose scopes exceed the approved baseline. The store decides what is still missing.
 */
import type { Evidence, PairedDevice, Snapshot } from '../types.js';
import { baselineScopes, roleApproved, rulesFor } from '../openclaw/rules.js';
import { findDevice, isExpired, pendingFor } from '../snapshot/queries.js';
import { list } from '../util/format.js';
import { minimalGrant, missingScopes, sortedUnion } from '../util/scopes.js';
import { logFacts } from './log-facts.js';
import { logEvidence } from './util.js';

export interface ScopeRequest {
  device: PairedDevice;
  /** Everything the device asked for (audit lines and live pending requests together). */
  requested: string[];
  /** What the gateway checks the device against in this era. */
  approved: string[];
  /** The requested scopes the approval does not cover. */
  missing: string[];
  /** The smallest set to add so that the approval covers the request. */
  grant: string[];
  /** Newest first-hand evidence, oldest first. */
  evidence: Evidence[];
  clients: string[];
  /** The newest live pending request of the device, if any. */
  requestId?: string;
}

const cache = new WeakMap<Snapshot, ScopeRequest[]>();

export function unapprovedScopeRequests(s: Snapshot): ScopeRequest[] {
  const hit = cache.get(s);
  if (hit) return hit;
  const out = s.store.ok ? collect(s) : [];
  cache.set(s, out);
  return out;
}

function collect(s: Snapshot): ScopeRequest[] {
  const facts = logFacts(s);
  const rules = rulesFor(s);
  const requestedBy = new Map<string, { scopes: string[]; evidence: Evidence[]; clients: Set<string> }>();
  const add = (deviceId: string, scopes: string[], ev: Evidence, client?: string) => {
    const cur = requestedBy.get(deviceId) ?? { scopes: [], evidence: [], clients: new Set<string>() };
    cur.scopes = sortedUnion(cur.scopes, scopes);
    cur.evidence.push(ev);
    if (client) cur.clients.add(client);
    requestedBy.set(deviceId, cur);
  };
  for (const a of facts.audits) {
    if (a.reason !== 'scope-upgrade') continue;
    if (facts.approvals.some((ap) => ap.deviceId === a.deviceId && ap.ev.timeMs >= a.ev.timeMs)) continue;
    add(a.deviceId, a.scopesTo, logEvidence(a.ev), a.client);
  }
  for (const p of s.store.pending) {
    const d = findDevice(s, p.deviceId);
    if (!d || isExpired(s, p)) continue;
    if (!missingScopes(p.scopes, baselineScopes(s, d), rules).length) continue;
    add(
      p.deviceId,
      p.scopes,
      {
        kind: 'store',
        text: `pending request ${p.requestId} (${p.isRepair ? 'repair' : 'new'}, client ${p.clientId ?? 'unknown'}) asks for ${list(p.scopes)}`,
        source: s.store.paths[s.store.kind === 'json' ? 1 : 0],
        timeMs: p.refreshedAtMs ?? p.ts,
      },
      p.clientId,
    );
  }
  const out: ScopeRequest[] = [];
  for (const [deviceId, req] of requestedBy) {
    const device = findDevice(s, deviceId);
    if (!device) continue; // an unknown device is first-time pairing, not an upgrade
    if (!roleApproved(s, device)) continue; // no active operator token: a role upgrade (role-upgrade.ts)
    const approved = baselineScopes(s, device);
    const missing = missingScopes(req.scopes, approved, rules);
    if (!missing.length) continue;
    const live = pendingFor(s, deviceId).filter((p) => !isExpired(s, p));
    const latest = live[live.length - 1];
    out.push({
      device,
      requested: req.scopes,
      approved,
      missing,
      grant: minimalGrant(req.scopes, approved, rules),
      evidence: req.evidence,
      clients: [...req.clients],
      ...(latest ? { requestId: latest.requestId } : {}),
    });
  }
  return out;
}
