/**
 * non-loopback: connections reach the gateway over a path OpenClaw never approves silently (remote mode,
 * a remote URL, OPENCLAW_GATEWAY_URL, Docker NAT or a proxy).
 */
import { getString } from '../openclaw/config.js';
import type { Detector, Evidence } from '../types.js';
import { hostOf, isLoopbackHost } from '../openclaw/config-rules.js';
import { remoteGateway } from '../snapshot/remote.js';
import { logFacts } from './log-facts.js';
import { logEvidence } from './util.js';

export const nonLoopback: Detector = {
  id: 'non-loopback',
  role: 'cause',
  detect(s) {
    const ev: Evidence[] = [];
    const cfg = s.config.value;
    if (getString(cfg, 'gateway.mode') === 'remote') ev.push({ kind: 'config', text: 'gateway.mode = remote: callers connect through gateway.remote.url, never as a local client', source: s.config.path });
    const remoteUrl = getString(cfg, 'gateway.remote.url');
    if (remoteUrl && hostOf(remoteUrl) && !isLoopbackHost(hostOf(remoteUrl)!)) {
      ev.push({ kind: 'config', text: `gateway.remote.url = ${remoteUrl} is not loopback`, source: s.config.path });
    }
    if (s.env.gatewayUrl && hostOf(s.env.gatewayUrl) && !isLoopbackHost(hostOf(s.env.gatewayUrl)!)) {
      ev.push({ kind: 'process', text: `OPENCLAW_GATEWAY_URL=${s.env.gatewayUrl} is not loopback` });
    }
    const facts = logFacts(s);
    const lastTarget = facts.targets[facts.targets.length - 1];
    if (lastTarget && hostOf(lastTarget.url) && !isLoopbackHost(hostOf(lastTarget.url)!)) ev.push(logEvidence(lastTarget.ev));
    for (const r of facts.refusals.slice(-20)) {
      const remote = /remote=(\S+)/.exec(r.ev.text)?.[1];
      const fwd = /fwd=(\S+)/.exec(r.ev.text)?.[1];
      if ((remote && !isLoopbackHost(remote)) || (fwd && fwd !== 'n/a')) {
        ev.push(logEvidence(r.ev));
        break;
      }
    }
    if (!ev.length) return [];
    const remote = remoteGateway(s);
    return [
      {
        id: 'non-loopback',
        severity: 'warning',
        title: 'Connections reach the gateway over a non-loopback path',
        detail:
          'OpenClaw only approves pairing silently for local loopback clients. Through a LAN/tailnet address, a remote URL, Docker NAT or an untrusted proxy, ' +
          'every new device and every scope upgrade waits for an explicit approval, so sub-agents keep getting 1008 "pairing required".' +
          (remote
            ? ` In remote mode the pairing store that decides is on the gateway host (${remote.tunnel ? 'at the other end of the tunnel' : remote.host ?? remote.url}), not in ${s.stateDir}: clawfix fix refuses to patch the local one; run clawfix on the gateway host.`
            : ''),
        evidence: ev,
        suggestedFix: {
          kind: 'manual',
          description: 'point local callers at ws://127.0.0.1:<port> (unset OPENCLAW_GATEWAY_URL, gateway.mode "local"), or approve each request explicitly; list proxies in gateway.trustedProxies',
        },
      },
    ];
  },
};
