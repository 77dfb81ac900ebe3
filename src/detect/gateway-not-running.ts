/**
 * gateway-not-running: nothing answers on the gateway's port, so sub-agents fail with 1006, not 1008.
 */
import path from 'node:path';
import { stateDirUnknown } from '../snapshot/queries.js';
import { remoteGateway } from '../snapshot/remote.js';
import type { Detector, Snapshot, SuggestedFix } from '../types.js';
import { profileArg } from './util.js';

/** How to start it: with the `openclaw` clawfix found, else the service manager's own command; never an `openclaw` that is not installed. */
function startAdvice(s: Snapshot): SuggestedFix {
  if (s.openclaw.executable) return { kind: 'command', description: 'start the gateway service', command: `openclaw${profileArg(s)} gateway start` };
  if (s.service?.kind === 'systemd') return { kind: 'command', description: 'start the gateway service (clawfix found no `openclaw` on PATH)', command: `systemctl --user start ${path.basename(s.service.path)}` };
  return {
    kind: 'manual',
    description: 'start the gateway the way it runs on this machine; clawfix found no `openclaw` on PATH (--openclaw PATH tells it where it is)',
  };
}

/** Starting a gateway on a store it cannot read loses pairings (≤ 2026.4.24) or fails: repair the store first, then start. */
function nextStep(s: Snapshot): SuggestedFix {
  const broken = s.store.kind === 'json' && ((!s.store.ok && !/does not exist/.test(s.store.error ?? '')) || !!s.store.bomFiles?.length);
  const start = startAdvice(s);
  if (!broken) return start;
  const how = start.command ? `with \`${start.command}\`` : 'the way it runs on this machine';
  return {
    kind: 'manual',
    description: `repair the pairing store first (see the store finding: ${s.store.bomFiles?.length ? 'clawfix fix rewrites it' : 'restore it with `clawfix backups` / `clawfix rollback`, or fix the JSON by hand'}), then start the gateway ${how}`,
  };
}

export const gatewayNotRunning: Detector = {
  id: 'gateway-not-running',
  role: 'cause',
  detect(s) {
    // Remote mode: no local gateway runs from this config (OpenClaw will not start one); nothing to start here.
    if (s.gateway.running !== false || remoteGateway(s) || stateDirUnknown(s)) return [];
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
