/**
 * identity-changed: the gateway refuses a device because its identity changed. Either this machine has
 * a new device identity (identity/device.json regenerated: a new deviceId that was never approved, the
 * old one still paired), or the gateway says so itself (`device identity changed and must be
 * re-approved`, reason metadata-upgrade: the device's pinned platform or family changed). Both need
 * an approval of the new request; regenerating or copying identity files only makes it worse.
 */
import type { Detector, Finding } from '../types.js';
import { labelOf } from '../snapshot/queries.js';
import { ago, shortId } from '../util/format.js';
import { newLocalIdentity } from './identity-facts.js';
import { gatewayStartMs, logFacts } from './log-facts.js';
import { logEvidence, profileArg } from './util.js';

const NEVER = 'Do not regenerate, delete or copy files under identity/: each new key pair is another deviceId to approve.';

function regenerated(s: Parameters<Detector['detect']>[0]): Finding[] {
  const n = newLocalIdentity(s);
  if (!n) return [];
  const old = n.previous[0]!;
  return [
    {
      id: 'identity-changed',
      severity: 'warning',
      title: `This machine has a new device identity (${shortId(n.deviceId)}): the approvals of its old one (${shortId(old.deviceId)}) no longer apply`,
      detail:
        `The local identity${s.identity.path ? ` in ${s.identity.path}` : ''} is ${n.deviceId}, which the gateway never approved, while the store still holds ${old.deviceId} ` +
        `for the same client (${old.clientId}${old.approvedAtMs ? `, approved ${ago(s.takenAtMs, old.approvedAtMs)}` : ''}). OpenClaw makes a new key pair, and so a new deviceId, when identity/device.json is missing or was replaced: ` +
        `every approval of the old identity is lost for this machine's CLI and sub-agents, so each of their connections is refused as a new device. ` +
        `OpenClaw's remedy is to approve the new identity's request. ${NEVER}`,
      evidence: [
        { kind: 'store', text: `local identity ${n.deviceId} is not paired`, ...(s.identity.path ? { source: s.identity.path } : {}) },
        ...n.previous.slice(0, 2).map((d) => ({ kind: 'store' as const, text: `paired: ${labelOf(s, d)}, client ${d.clientId}, the previous identity`, source: s.store.paths[0] })),
        ...(n.requestId ? [{ kind: (n.seen === 'pending' ? 'store' : 'log') as 'store' | 'log', text: `request ${n.requestId} of the new identity waits for approval` }] : []),
      ],
      device: { deviceId: n.deviceId },
      ...(n.requestId ? { requestId: n.requestId } : {}),
      suggestedFix: n.requestId
        ? { kind: 'command', description: 'approve the new identity\'s request (on the gateway host)', command: `openclaw${profileArg(s)} devices approve ${n.requestId}` }
        : { kind: 'command', description: 'list the requests and approve the new identity\'s exact request id', command: `openclaw${profileArg(s)} devices list` },
    },
  ];
}

/** The gateway's own words (≥ 4.20): `device identity changed and must be re-approved` (reason metadata-upgrade). */
function reapproval(s: Parameters<Detector['detect']>[0]): Finding[] {
  const start = gatewayStartMs(s);
  const byDevice = new Map<string, ReturnType<typeof logFacts>['refusals']>();
  for (const r of logFacts(s).refusals) {
    if (start !== undefined && r.ev.timeMs < start) continue;
    if (r.reason !== 'metadata-upgrade' && !/device identity changed and must be re-approved/.test(r.ev.text)) continue;
    const id = r.deviceId ?? 'unknown';
    byDevice.set(id, [...(byDevice.get(id) ?? []), r]);
  }
  return [...byDevice].map(([deviceId, rs]) => {
    const last = rs[rs.length - 1]!;
    const name = deviceId === 'unknown' ? 'A device' : labelOf(s, { deviceId });
    return {
      id: 'identity-changed' as const,
      severity: 'warning' as const,
      title: `${name}'s identity changed and the gateway wants it re-approved`,
      detail:
        `The gateway refused it with "device identity changed and must be re-approved" (reason metadata-upgrade): what the device reports about itself (its platform or device family) ` +
        `no longer matches what was approved, so the approval is held until someone approves the new request. ${NEVER}`,
      evidence: rs.slice(-2).map((r) => logEvidence(r.ev)),
      ...(deviceId !== 'unknown' ? { device: { deviceId } } : {}),
      ...(last.requestId ? { requestId: last.requestId } : {}),
      suggestedFix: last.requestId
        ? { kind: 'command' as const, description: 'approve this exact request if you recognise the device', command: `openclaw${profileArg(s)} devices approve ${last.requestId}` }
        : { kind: 'command' as const, description: 'list the requests and approve the exact id', command: `openclaw${profileArg(s)} devices list` },
    };
  });
}

export const identityChanged: Detector = {
  id: 'identity-changed',
  role: 'cause',
  detect(s) {
    return [...regenerated(s), ...reapproval(s)];
  },
};
