/**
 * gateway-not-running: nothing answers on the gateway's port, so sub-agents fail with 1006, not 1008.
 */
import type { Detector, Snapshot, SuggestedFix } from '../types.js';

/** Starting a gateway on a store it cannot read loses pairings (≤ 2026.4.24) or fails: repair the store first, then start. */
function nextStep(s: Snapshot): SuggestedFix {
  const broken = s.store.kind === 'json' && ((!s.store.ok && !/does not exist/.test(s.store.error ?? '')) || !!s.store.bomFiles?.length);
  if (!broken) return { kind: 'command', description: 'start the gateway service', command: 'openclaw gateway start' };
  return {
    kind: 'manual',
    description: `repair the pairing store first (see the store finding: ${s.store.bomFiles?.length ? 'clawfix fix rewrites it' : 'restore it with `clawfix backups` / `clawfix rollback`, or fix the JSON by hand'}), then start the gateway with \`openclaw gateway start\``,
  };
}

export const gatewayNotRunning: Detector = {
  id: 'gateway-not-running',
  role: 'cause',
  detect(s) {
    if (s.gateway.running !== false) return [];
    return [
      {
        id: 'gateway-not-running',
        severity: 'warning',
        title: s.config.error
          ? `Nothing answers on 127.0.0.1:${s.gateway.port} (the default port: the config could not be read, so the real port is unknown)`
          : `The gateway is not running (nothing answers on 127.0.0.1:${s.gateway.port})`,
        detail: 'Sub-agents cannot connect to a stopped gateway; the errors then read "abnormal closure (1006)", not "pairing required".',
        evidence: [{ kind: 'process', text: `GET http://127.0.0.1:${s.gateway.port}/healthz: connection refused` }],
        suggestedFix: nextStep(s),
      },
    ];
  },
};
