/**
 * Advice that stops the failure from coming back (issue 7): the installed release line never approves
 * local scope upgrades silently; the config was edited under a running gateway; a stale
 * OPENCLAW_GATEWAY_TOKEN is baked into the service definition. Pure: everything comes from the snapshot.
 */
import { getString } from '../openclaw/config.js';
import type { Detector, Evidence } from '../types.js';
import { sha256 } from '../util/hash.js';
import { gatewayStartMs, logFacts } from './log-facts.js';
import { scopeUpgrade } from './scope-upgrade.js';
import { ago, findDevice, logEvidence } from './util.js';

/** `--profile NAME` for commands when clawfix was pointed at a profile. */
function profileArg(s: { profile?: string }): string {
  return s.profile ? ` --profile ${s.profile}` : '';
}

export const eraNeverApproves: Detector = {
  id: 'era-never-approves',
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
    const found = scopeUpgrade.detect(s);
    if (!found.length && !logged.length) return [];
    const version = s.openclaw.version ?? 'the installed OpenClaw';
    const e2 = s.era.era === 'E2';
    const evidence: Evidence[] = [
      {
        kind: 'version',
        text: `OpenClaw ${version} (${e2 ? '2026.2.19–2.21' : '2026.4.x–7.1 / 7.33–7.35 line'}): a local scope upgrade always waits for an explicit approval`,
        ...(s.openclaw.executable ? { source: s.openclaw.executable } : {}),
      },
      ...(found.length ? found[0]!.evidence.slice(0, 1) : logged.slice(-2).map(logEvidence)),
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

export const configEditedWhileRunning: Detector = {
  id: 'config-edited-while-running',
  detect(s) {
    const start = gatewayStartMs(s);
    const evidence: Evidence[] = [];
    const reloads = logFacts(s).reloads.filter((e) => start === undefined || e.timeMs >= start);
    evidence.push(...reloads.slice(-2).map(logEvidence));
    const m = s.config.mtimeMs;
    if (m !== undefined && start !== undefined && m > start && s.gateway.running === true) {
      evidence.push({ kind: 'config', text: `config modified ${ago(s.takenAtMs, m)}, after the running gateway started (${ago(s.takenAtMs, start)})`, source: s.config.path });
    }
    if (!evidence.length) return [];
    return [
      {
        id: 'config-edited-while-running',
        severity: 'info',
        title: 'The config was edited while the gateway was running',
        detail:
          'A running gateway reacts to config edits by itself: it hot-reloads or restarts (gateway.* changes restart it under the default hybrid reload mode), ' +
          'can read a half-saved file, and clients keep tokens and sessions from before. That is how "pairing required" and token mismatches often start. ' +
          'clawfix edit-config validates the edit (JSON5, invalid gateway.bind, auth.mode none, …), stops the gateway, installs the file atomically, ' +
          'restarts and verifies it, and puts the old file back if the gateway does not come up.',
        evidence,
        suggestedFix: { kind: 'command', description: 'edit the config through clawfix next time (like visudo)', command: `clawfix${profileArg(s)} edit-config` },
      },
    ];
  },
};

export const staleServiceToken: Detector = {
  id: 'stale-service-token',
  detect(s) {
    const svc = s.service;
    if (!svc?.tokenHash) return [];
    // Only the service that runs this config is comparable; a token like "${VAR}" is substituted at runtime.
    if (svc.configPath !== s.config.path) return [];
    const token = getString(s.config.value, 'gateway.auth.token');
    if (!token || token.includes('${')) return [];
    if (sha256(token) === svc.tokenHash) return [];
    const what = svc.kind === 'systemd' ? 'systemd unit' : svc.kind === 'launchd' ? 'LaunchAgent' : 'scheduled task script';
    return [
      {
        id: 'stale-service-token',
        severity: 'warning',
        title: `The gateway ${what} bakes in an OPENCLAW_GATEWAY_TOKEN that differs from gateway.auth.token`,
        detail:
          `${svc.path} sets OPENCLAW_GATEWAY_TOKEN for the service, and it is not the token in ${s.config.path} (compared by sha256; neither is shown). ` +
          'The service-started gateway and the clients that read the config then disagree on the shared secret: connections fail with "gateway token mismatch", ' +
          'and on 2026.2.21 the same mistake is reported as a device token mismatch. This happens when the token is rotated in the config after `openclaw gateway install`.',
        evidence: [
          {
            kind: 'file',
            text: `OPENCLAW_GATEWAY_TOKEN in the ${what} ≠ gateway.auth.token in the config (sha256 compared; tokens not shown)`,
            source: svc.path,
          },
        ],
        suggestedFix: {
          kind: 'command',
          description: 're-install the service so it takes the token from the config, then restart it',
          command: `openclaw${profileArg(s)} gateway install --force && openclaw${profileArg(s)} gateway restart`,
        },
      },
    ];
  },
};
