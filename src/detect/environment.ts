/** gateway-not-running, several-state-dirs and gateway-token-mismatch: the surroundings of pairing. */
import type { Detector } from '../types.js';
import { gatewayStartMs, logFacts } from './log-facts.js';
import { logEvidence } from './util.js';

export const gatewayNotRunning: Detector = {
  id: 'gateway-not-running',
  detect(s) {
    if (s.gateway.running !== false) return [];
    return [
      {
        id: 'gateway-not-running',
        severity: 'warning',
        title: `The gateway is not running (nothing answers on 127.0.0.1:${s.gateway.port})`,
        detail: 'Sub-agents cannot connect to a stopped gateway; the errors then read "abnormal closure (1006)", not "pairing required".',
        evidence: [{ kind: 'process', text: `GET http://127.0.0.1:${s.gateway.port}/healthz: connection refused` }],
        suggestedFix: { kind: 'command', description: 'start the gateway service', command: 'openclaw gateway start' },
      },
    ];
  },
};

/** Only worth naming when another state dir has its own pairing state or config: then edits may go to the wrong one. */
export const severalStateDirs: Detector = {
  id: 'several-state-dirs',
  detect(s) {
    const relevant = s.otherStateDirs;
    if (!relevant.length) return [];
    return [
      {
        id: 'several-state-dirs',
        severity: 'info',
        title: `${relevant.length + 1} OpenClaw state dirs exist; clawfix is looking at ${s.stateDir}`,
        detail:
          `The gateway uses exactly one of them (chosen by OPENCLAW_STATE_DIR, OPENCLAW_PROFILE or --profile). clawfix uses ${s.stateDir} (from ${s.stateDirSource}). ` +
          'If the running gateway uses another, rerun with --state-dir or --profile; editing the wrong one is a common reason fixes "do nothing".',
        evidence: relevant.map((d) => ({ kind: 'file' as const, text: 'another state dir with pairing state or config', source: d })),
        suggestedFix: { kind: 'manual', description: 'confirm which state dir the gateway service uses (openclaw gateway status shows Config (service))' },
      },
    ];
  },
};

export const gatewayTokenMismatch: Detector = {
  id: 'gateway-token-mismatch',
  detect(s) {
    const start = gatewayStartMs(s);
    const hits = logFacts(s).gatewayTokenMismatch.filter((e) => start === undefined || e.timeMs >= start);
    if (!hits.length) return [];
    return [
      {
        id: 'gateway-token-mismatch',
        severity: 'warning',
        title: 'A client presents the wrong shared gateway token (not a pairing problem)',
        detail:
          '"gateway token mismatch" means the shared secret differs (gateway.auth.token vs the caller\'s token, often a stale OPENCLAW_GATEWAY_TOKEN baked into the service). ' +
          'Approving devices does not help; align the token.',
        evidence: hits.slice(-2).map(logEvidence),
        suggestedFix: { kind: 'command', description: 're-install the service so it picks up the config token', command: 'openclaw gateway install --force' },
      },
    ];
  },
};
