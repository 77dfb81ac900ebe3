/**
 * scope-upgrade: a paired device asked for more operator scopes than it holds and nobody approved it
 * (the requests and their evidence: scope-requests.ts). The store decides what is still missing. The
 * finding says what the repair will do, the way the planner will do it: the scopes granted without
 * consent, operator.admin as its own consent-gated step, and a sub-agent spawn's calls all at once.
 */
import { getString, get } from '../openclaw/config.js';
import { isLoopbackHost } from '../openclaw/config-rules.js';
import { labelOf } from '../snapshot/queries.js';
import type { Detector, Finding, Snapshot } from '../types.js';
import { list } from '../util/format.js';
import { ADMIN } from '../util/scopes.js';
import { unapprovedScopeRequests, type ScopeRequest } from './scope-requests.js';

/** Why nobody approved the upgrade: the release line, the config, or how the client connected. */
function whyNotApproved(s: Snapshot, r: ScopeRequest): string {
  const v = s.openclaw.version ?? '';
  if (s.era.localScopeUpgradeSilent === false) return `OpenClaw ${v} never approves a scope upgrade silently`;
  if (s.era.era === 'E5' && get(s.config.value, 'gateway.nodes.pairing.autoApproveLocal') === false) {
    return `gateway.nodes.pairing.autoApproveLocal is false in ${s.config.path}, so OpenClaw ${v} waits for an explicit approval of every local scope upgrade (change it with \`clawfix edit-config\`)`;
  }
  if (r.auths.includes('device-token')) return 'the client authenticated with its device token, and OpenClaw approves a local upgrade silently only for token, password or no auth';
  const remote = r.ips.find((ip) => ip !== 'unknown-ip' && !isLoopbackHost(ip));
  if (remote) return `the connection came from ${remote}, not over loopback, and only local upgrades are approved silently`;
  if (getString(s.config.value, 'gateway.mode') === 'remote') return 'the gateway is in remote mode: callers connect through gateway.remote.url, never as a local client';
  return 'the upgrade was not approved';
}

function spawnSentence(s: Snapshot, r: ScopeRequest): string {
  const calls = r.spawn!.calls.map((c) => `${c.scope} (${c.call})`).join(' and ');
  return `A sub-agent spawn on OpenClaw ${s.openclaw.version} needs ${calls}; the repair grants what is missing of them in one step${r.grant.includes(ADMIN) ? ', and operator.admin needs your consent' : ''}.`;
}

function fixOf(s: Snapshot, r: ScopeRequest): Finding['suggestedFix'] {
  const where = s.era.store === 'sqlite' ? ' (through `openclaw devices approve` when the request is still pending, else one SQLite transaction)' : ' (gateway stopped, store backed up, then restarted and verified)';
  const cmd = `clawfix fix --device ${r.device.deviceId}`;
  if (!r.grant.includes(ADMIN)) return { kind: 'clawfix', description: `add exactly ${list(r.grant)} to this device's approved scopes${where}`, command: cmd };
  if (r.spawn || !r.plainGrant.length) {
    return { kind: 'clawfix', description: `add ${list(r.grant)} in one repair${where}; operator.admin needs your consent (--allow-admin, or confirm it in the wizard)`, command: `${cmd} --allow-admin` };
  }
  // The plan that runs without consent comes first; admin (which would cover those scopes too) is its own step.
  return {
    kind: 'clawfix',
    description: `add exactly ${list(r.plainGrant)} (what \`clawfix fix --yes\` grants)${where}; operator.admin, also requested, is a second, consent-gated step (--allow-admin, or confirm it in the wizard)`,
    command: cmd,
  };
}

export const scopeUpgrade: Detector = {
  id: 'scope-upgrade',
  role: 'cause',
  detect(s) {
    return unapprovedScopeRequests(s).map((r): Finding => {
      const { device, grant } = r;
      const deviceId = device.deviceId;
      const isLocal = s.identity.deviceId === deviceId;
      const tokenScopes = device.tokens.find((t) => t.role === 'operator')?.scopes ?? [];
      const adminNote = grant.includes(ADMIN) && !r.spawn ? ' operator.admin is only granted with --allow-admin or an explicit confirmation.' : '';
      return {
        id: 'scope-upgrade',
        severity: 'error',
        title: `${r.spawn ? 'Sub-agent spawns are refused: ' : ''}${isLocal ? labelOf(s, device).replace(/^t/, 'T') : `Device ${labelOf(s, device)}`} was refused ${list(r.missing)}`,
        detail:
          `${isLocal ? "This machine's own identity (the CLI and the gateway's sub-agents share it)" : 'A paired device'} asked for ${list(r.requested)} but is approved for ${list(r.approved)} only, ` +
          `and ${whyNotApproved(s, r)}. ` +
          `Until ${list(grant)} is approved, every such connection is closed with 1008 "pairing required".${adminNote}` +
          (r.spawn ? ` ${spawnSentence(s, r)}` : ''),
        evidence: [
          ...r.evidence.slice(-3),
          { kind: 'store', text: `paired record approves ${list(r.approved)}${device.tokens.length ? `; token scopes ${list(tokenScopes)}` : ''}`, source: s.store.paths[0] },
        ],
        device: { deviceId, ...(device.displayName ? { displayName: device.displayName } : {}), ...(device.clientId ? { clientId: device.clientId } : {}) },
        ...(r.requestId ? { requestId: r.requestId } : {}),
        requestedScopes: r.requested,
        approvedScopes: r.approved,
        missingScopes: grant,
        ...(r.spawn ? { spawn: r.spawn } : {}),
        suggestedFix: fixOf(s, r),
      };
    });
  },
};
