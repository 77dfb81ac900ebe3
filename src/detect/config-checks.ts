/**
 * Config and path problems that produce "pairing required" without any scope being missing:
 * an invalid `gateway.bind`, and connections that do not come over loopback (remote mode, remote URL,
 * OPENCLAW_GATEWAY_URL, proxies) and so are never approved silently.
 */
import { get, getString } from '../openclaw/config.js';
import type { Detector, Evidence } from '../types.js';
import { isLoopbackHost, logFacts } from './log-facts.js';
import { logEvidence } from './util.js';

export const VALID_BINDS = ['auto', 'loopback', 'lan', 'tailnet', 'custom'] as const;

export function bindReplacement(bind: string): string {
  const b = bind.trim().toLowerCase();
  if (b === '127.0.0.1' || b === 'localhost' || b === '::1' || b === 'local') return 'loopback';
  if (b === '0.0.0.0' || b === '::' || b === '*' || b === 'all') return 'lan';
  return 'loopback';
}

export const invalidBind: Detector = {
  id: 'invalid-bind',
  detect(s) {
    const bind = get(s.config.value, 'gateway.bind');
    if (bind === undefined || (typeof bind === 'string' && (VALID_BINDS as readonly string[]).includes(bind))) return [];
    const shown = typeof bind === 'string' ? bind : JSON.stringify(bind);
    const fix = typeof bind === 'string' ? bindReplacement(bind) : 'loopback';
    return [
      {
        id: 'invalid-bind',
        severity: 'error',
        title: `gateway.bind is "${shown}", which OpenClaw does not accept`,
        detail: `Valid values are ${VALID_BINDS.join(', ')}. "${shown}" looks like an address; the mode for it is "${fix}" (with "custom" plus gateway.customBindHost for a specific address).`,
        evidence: [{ kind: 'config', text: `gateway.bind = ${shown}`, source: s.config.path }],
        suggestedFix: { kind: 'manual', description: `set gateway.bind to "${fix}" with the gateway stopped (clawfix edit-config does this safely)`, command: `openclaw config set gateway.bind ${fix}` },
      },
    ];
  },
};

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

export const nonLoopback: Detector = {
  id: 'non-loopback',
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
    return [
      {
        id: 'non-loopback',
        severity: 'warning',
        title: 'Connections reach the gateway over a non-loopback path',
        detail:
          'OpenClaw only approves pairing silently for local loopback clients. Through a LAN/tailnet address, a remote URL, Docker NAT or an untrusted proxy, ' +
          'every new device and every scope upgrade waits for an explicit approval, so sub-agents keep getting 1008 "pairing required".',
        evidence: ev,
        suggestedFix: {
          kind: 'manual',
          description: 'point local callers at ws://127.0.0.1:<port> (unset OPENCLAW_GATEWAY_URL, gateway.mode "local"), or approve each request explicitly; list proxies in gateway.trustedProxies',
        },
      },
    ];
  },
};
