/**
 * stale-service-token: the gateway's service definition bakes in an OPENCLAW_GATEWAY_TOKEN that differs
 * from gateway.auth.token of the config it runs (compared by hash, never shown).
 */
import { getString } from '../openclaw/config.js';
import type { Detector } from '../types.js';
import { sha256 } from '../util/hash.js';
import { profileArg } from './util.js';

export const staleServiceToken: Detector = {
  id: 'stale-service-token',
  role: 'advice',
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
