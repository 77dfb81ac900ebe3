/**
 * era-never-approves: the installed release line never approves a local scope upgrade silently, so the
 * refusal will come back with every new scope a sub-agent needs.
 */
import type { Detector, Evidence } from '../types.js';
import { gatewayStartMs, logFacts } from './log-facts.js';
import { unapprovedScopeRequests } from './scope-requests.js';
import { findDevice } from '../snapshot/queries.js';
import { logEvidence } from './util.js';

export const eraNeverApproves: Detector = {
  id: 'era-never-approves',
  role: 'advice',
  detect(s) {
    if (s.era.localScopeUpgradeSilent !== false) return [];
    const facts = logFacts(s);
    const start = gatewayStartMs(s);
    const since = (t: number) => start === undefined || t >= start;
    // Only devices this store knows: an audit for an unknown device is not a scope upgrade of ours.
    const known = (id: string | undefined) => id === undefined || !!findDevice(s, id);
    const logged = [
      ...facts.audits.filter((a) => a.reason === 'scope-upgrade' && since(a.ev.timeMs) && known(a.deviceId)).map((a) => a.ev),
      ...facts.refusals.filter((r) => r.reason === 'scope-upgrade' && since(r.ev.timeMs) && known(r.deviceId)).map((r) => r.ev),
    ].sort((a, b) => a.timeMs - b.timeMs);
    const found = unapprovedScopeRequests(s);
    if (!found.length && !logged.length) return [];
    const version = s.openclaw.version ?? 'the installed OpenClaw';
    const e2 = s.era.era === 'E2';
    const evidence: Evidence[] = [
      {
        kind: 'version',
        text: `OpenClaw ${version} (${e2 ? '2026.2.19–2.21' : '2026.4.x–7.1 / 7.33–7.35 line'}): a local scope upgrade always waits for an explicit approval`,
        ...(s.openclaw.executable ? { source: s.openclaw.executable } : {}),
      },
      ...(found.length ? found[0]!.evidence.slice(-3).slice(0, 1) : logged.slice(-2).map(logEvidence)),
    ];
    return [
      {
        id: 'era-never-approves',
        severity: 'info',
        title: `OpenClaw ${version} never approves a scope upgrade silently: this will happen again`,
        detail:
          `On this release line every scope upgrade (a sub-agent, cron job or the CLI asking for a scope its device does not hold yet, e.g. operator.write) ` +
          'waits for an explicit approval, even on loopback, so "pairing required" comes back whenever a client needs a new scope. ' +
          (e2
            ? '2026.2.22 restored silent local upgrades; the 2026.8+ line (SQLite store) keeps them silent.'
            : 'The 2026.8+ line (SQLite store) approves local scope upgrades silently again (unless gateway.nodes.pairing.autoApproveLocal is false, or the client is remote/proxied).') +
          ' Until you upgrade, clawfix fix repairs each occurrence.',
        evidence,
        suggestedFix: {
          kind: 'manual',
          description:
            'upgrade OpenClaw to 2026.8 or newer (back up the state dir first); on ≥ 2026.8.1 import the old JSON pairings with `openclaw doctor --fix` (it also normalises unrelated config)',
          command: 'npm install -g openclaw@latest',
        },
      },
    ];
  },
};
