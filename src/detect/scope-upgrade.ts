/**
 * scope-upgrade: a paired device asked for more operator scopes than it holds and nobody approved it
 * (the requests and their evidence: scope-requests.ts). The store decides what is still missing.
 */
import type { Detector, Finding } from '../types.js';
import { deviceLabel, list } from '../util/format.js';
import { ADMIN } from '../util/scopes.js';
import { unapprovedScopeRequests } from './scope-requests.js';

export const scopeUpgrade: Detector = {
  id: 'scope-upgrade',
  role: 'cause',
  detect(s) {
    return unapprovedScopeRequests(s).map((r): Finding => {
      const { device, grant } = r;
      const deviceId = device.deviceId;
      const isLocal = s.identity.deviceId === deviceId;
      const tokenScopes = device.tokens.find((t) => t.role === 'operator')?.scopes ?? [];
      const adminNote = grant.includes(ADMIN) ? ' operator.admin is only granted with --allow-admin or an explicit confirmation.' : '';
      return {
        id: 'scope-upgrade',
        severity: 'error',
        title: `Device ${deviceLabel(device)} was refused ${list(r.missing)}`,
        detail:
          `${isLocal ? "This machine's own identity (the CLI and the gateway's sub-agents share it)" : 'A paired device'} asked for ${list(r.requested)} but is approved for ${list(r.approved)} only, ` +
          `and ${s.era.localScopeUpgradeSilent === false ? `OpenClaw ${s.openclaw.version ?? ''} never approves a scope upgrade silently` : 'the upgrade was not approved'}. ` +
          `Until ${list(grant)} is approved, every such connection is closed with 1008 "pairing required".${adminNote}`,
        evidence: [
          ...r.evidence.slice(-3),
          {
            kind: 'store',
            text: `paired record approves ${list(r.approved)}${device.tokens.length ? `; token scopes ${list(tokenScopes)}` : ''}`,
            source: s.store.paths[0],
          },
        ],
        device: { deviceId, ...(device.displayName ? { displayName: device.displayName } : {}), ...(device.clientId ? { clientId: device.clientId } : {}) },
        ...(r.requestId ? { requestId: r.requestId } : {}),
        requestedScopes: r.requested,
        approvedScopes: r.approved,
        missingScopes: grant,
        suggestedFix: {
          kind: 'clawfix',
          description: `add exactly ${list(grant)} to this device's approved scopes${s.era.store === 'sqlite' ? ' (through `openclaw devices approve` when the request is still pending, else one SQLite transaction)' : ' (gateway stopped, store backed up, then restarted and verified)'}`,
          command: `clawfix fix --device ${deviceId}${grant.includes(ADMIN) ? ' --allow-admin' : ''}`,
        },
      };
    });
  },
};
