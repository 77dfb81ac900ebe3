/**
 * gateway-token-mismatch: a client presents the wrong shared gateway token, which is not a pairing problem.
 */
import type { Detector } from '../types.js';
import { gatewayStartMs, logFacts, perConnection } from './log-facts.js';
import { logEvidence } from './util.js';

export const gatewayTokenMismatch: Detector = {
  id: 'gateway-token-mismatch',
  role: 'cause',
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
        evidence: perConnection(hits).slice(-2).map(logEvidence),
        suggestedFix: { kind: 'command', description: 're-install the service so it picks up the config token', command: 'openclaw gateway install --force' },
      },
    ];
  },
};
