/**
 * scope-upgrade: a paired device asked for more operator scopes than it holds and nobody approved it.
 * Evidence: the gateway's audit line not followed by an approval for that device, and/or a pending
 * repair request whose scopes exceed the approved baseline. The store decides what is still missing.
 */
import type { Detector, Evidence, Finding } from '../types.js';
import { ADMIN, missingScopes, minimalGrant, sortedUnion } from '../util/scopes.js';
import { logFacts } from './log-facts.js';
import { baselineScopes, deviceLabel, findDevice, isExpired, list, logEvidence, pendingFor, roleApproved, rulesFor } from './util.js';

export const scopeUpgrade: Detector = {
  id: 'scope-upgrade',
  detect(s) {
    if (!s.store.ok) return [];
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
      const approvedAfter = facts.approvals.some((ap) => ap.deviceId === a.deviceId && ap.ev.timeMs >= a.ev.timeMs);
      if (approvedAfter) continue;
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

    const findings: Finding[] = [];
    for (const [deviceId, req] of requestedBy) {
      const device = findDevice(s, deviceId);
      if (!device) continue; // an unknown device is first-time pairing, not an upgrade
      if (!roleApproved(s, device)) continue; // no active operator token: a role upgrade (role-upgrade.ts)
      const approved = baselineScopes(s, device);
      const missing = missingScopes(req.scopes, approved, rules);
      if (!missing.length) continue;
      const grant = minimalGrant(req.scopes, approved, rules);
      const pending = pendingFor(s, deviceId).filter((p) => !isExpired(s, p));
      const latest = pending[pending.length - 1];
      const isLocal = s.identity.deviceId === deviceId;
      const evidence: Evidence[] = [
        ...req.evidence.slice(-3),
        {
          kind: 'store',
          text: `paired record approves ${list(approved)}${device.tokens.length ? `; token scopes ${list(device.tokens.find((t) => t.role === 'operator')?.scopes ?? [])}` : ''}`,
          source: s.store.paths[0],
        },
      ];
      const adminNote = grant.includes(ADMIN) ? ' operator.admin is only granted with --allow-admin or an explicit confirmation.' : '';
      findings.push({
        id: 'scope-upgrade',
        severity: 'error',
        title: `Device ${deviceLabel(device)} was refused ${list(missing)}`,
        detail:
          `${isLocal ? "This machine's own identity (the CLI and the gateway's sub-agents share it)" : 'A paired device'} asked for ${list(req.scopes)} but is approved for ${list(approved)} only, ` +
          `and ${s.era.localScopeUpgradeSilent === false ? `OpenClaw ${s.openclaw.version ?? ''} never approves a scope upgrade silently` : 'the upgrade was not approved'}. ` +
          `Until ${list(grant)} is approved, every such connection is closed with 1008 "pairing required".${adminNote}`,
        evidence,
        device: { deviceId, ...(device.displayName ? { displayName: device.displayName } : {}), ...(device.clientId ? { clientId: device.clientId } : {}) },
        ...(latest ? { requestId: latest.requestId } : {}),
        requestedScopes: req.scopes,
        approvedScopes: approved,
        missingScopes: grant,
        suggestedFix: {
          kind: 'clawfix',
          description: `add exactly ${list(grant)} to this device's approved scopes${s.era.store === 'sqlite' ? ' (through `openclaw devices approve` when the request is still pending, else one SQLite transaction)' : ' (gateway stopped, store backed up, then restarted and verified)'}`,
          command: `clawfix fix --device ${deviceId}${grant.includes(ADMIN) ? ' --allow-admin' : ''}`,
        },
      });
    }
    return findings;
  },
};
