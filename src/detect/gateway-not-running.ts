/**
 * gateway-not-running: nothing answers on the gateway's port, so sub-agents fail with 1006, not 1008.
 */
import { remoteGateway } from '../snapshot/remote.js';
import type { Detector } from '../types.js';

export const gatewayNotRunning: Detector = {
  id: 'gateway-not-running',
  role: 'cause',
  detect(s) {
    // Remote mode: no local gateway runs from this config (OpenClaw will not start one); nothing to start here.
    if (s.gateway.running !== false || remoteGateway(s)) return [];
    return [
      {
        id: 'gateway-not-running',
        severity: 'warning',
        title: s.config.error
          ? `Nothing answers on 127.0.0.1:${s.gateway.port} (the default port: the config could not be read, so the real port is unknown)`
          : `The gateway is not running (nothing answers on 127.0.0.1:${s.gateway.port})`,
        detail: 'Sub-agents cannot connect to a stopped gateway; the errors then read "abnormal closure (1006)", not "pairing required".',
        evidence: [{ kind: 'process', text: `GET http://127.0.0.1:${s.gateway.port}/healthz: connection refused` }],
        suggestedFix: { kind: 'command', description: 'start the gateway service', command: 'openclaw gateway start' },
      },
    ];
  },
};
