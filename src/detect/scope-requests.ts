/**
 * The scope upgrades devices asked for and nobody approved, device by device: the shared fact behind
 * the scope-upgrade finding and the advice that it will happen again. Pure, memoized per snapshot.
 * Evidence: the gateway's audit line not followed by an approval for that device, and/or a pending
 * repair request whose scopes exceed the approved baseline. The store decides what is still missing.
 */
import type { Evidence, PairedDevice, Snapshot, SpawnCall } from '../types.js';
import { baselineScopes, roleApproved, rulesFor, spawnCalls } from '../openclaw/rules.js';
import { findDevice, isExpired, pendingFor } from '../snapshot/queries.js';
import { list } from '../util/format.js';
import { ADMIN, minimalGrant, missingScopes, sortedUnion } from '../util/scopes.js';
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
  /** The smallest set without operator.admin: what a repair without admin consent grants. */
  plainGrant: string[];
  /** Newest first-hand evidence, oldest first. */
  evidence: Evidence[];
  clients: string[];
  /** How the refused connections authenticated and where they came from (audit lines: auth=, ip=). */
  auths: string[];
  ips: string[];
  /** The newest live pending request of the device, if any. */
  requestId?: string;
  /**
   * Set when the refused connections are a sub-agent spawn (this machine's own identity, client
   * gateway-client) on a version whose spawn makes several calls with that identity: `requested` then
   * holds every call's scope, so the whole spawn is planned in one repair.
   */
  spawn?: { calls: SpawnCall[] };
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
  const requestedBy = new Map<string, Requested>();
  const add = (deviceId: string, scopes: string[], ev: Evidence, client?: string, how?: { auth: string; ip: string }) => {
    const cur = requestedBy.get(deviceId) ?? { scopes: [], evidence: [], clients: new Set<string>(), auths: new Set<string>(), ips: new Set<string>() };
    cur.scopes = sortedUnion(cur.scopes, scopes);
    cur.evidence.push(ev);
    if (client) cur.clients.add(client);
    if (how) {
      cur.auths.add(how.auth);
      cur.ips.add(how.ip);
    }
    requestedBy.set(deviceId, cur);
  };
  for (const a of facts.audits) {
    if (a.reason !== 'scope-upgrade') continue;
    if (facts.approvals.some((ap) => ap.deviceId === a.deviceId && ap.ev.timeMs >= a.ev.timeMs)) continue;
    add(a.deviceId, a.scopesTo, logEvidence(a.ev), a.client, a);
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
    const r = request(s, deviceId, req);
    if (r) out.push(r);
  }
  return out;
}

interface Requested {
  scopes: string[];
  evidence: Evidence[];
  clients: Set<string>;
  auths: Set<string>;
  ips: Set<string>;
}

/**
 * The spawn's calls, when these requests are a sub-agent spawn with this machine's own identity. A
 * spawn's first call (sessions.patch) asks for operator.admin; a gateway-client asking only for write
 * while admin is not approved is a sub-agent's other call, not a spawn.
 */
function spawnOf(s: Snapshot, deviceId: string, req: Requested, approved: string[]): SpawnCall[] | undefined {
  if (deviceId !== s.identity.deviceId || !req.clients.has('gateway-client')) return undefined;
  if (!req.scopes.includes(ADMIN) && !approved.includes(ADMIN)) return undefined;
  return spawnCalls(s.openclaw.version);
}

function request(s: Snapshot, deviceId: string, req: Requested): ScopeRequest | undefined {
  const rules = rulesFor(s);
  const device = findDevice(s, deviceId);
  if (!device) return undefined; // an unknown device is first-time pairing, not an upgrade
  if (!roleApproved(s, device)) return undefined; // no active operator token: a role upgrade (role-upgrade.ts)
  const approved = baselineScopes(s, device);
  if (!missingScopes(req.scopes, approved, rules).length) return undefined;
  const calls = spawnOf(s, deviceId, req, approved);
  // A spawn asks for one call's scope at a time; the repair covers every call it will make.
  const requested = calls ? sortedUnion(req.scopes, calls.map((c) => c.scope)) : req.scopes;
  const live = pendingFor(s, deviceId).filter((p) => !isExpired(s, p));
  const latest = live[live.length - 1];
  return {
    device,
    requested,
    approved,
    missing: missingScopes(requested, approved, rules),
    grant: minimalGrant(requested, approved, rules),
    plainGrant: minimalGrant(requested.filter((x) => x !== ADMIN), approved, rules),
    evidence: req.evidence,
    clients: [...req.clients],
    auths: [...req.auths],
    ips: [...req.ips],
    ...(latest ? { requestId: latest.requestId } : {}),
    ...(calls ? { spawn: { calls } } : {}),
  };
}
