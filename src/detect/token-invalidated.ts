/**
 * token-invalidated: clients present a device token the gateway no longer accepts. Reported while the
 * running gateway keeps refusing it (a refusal after the last gateway start). The likely cause is
 * named only when there is evidence for it: config edits while running, a stale cached token, or
 * (OpenClaw 2.21) a wrong shared token misreported as a device token mismatch.
 */
import type { Detector, Evidence } from '../types.js';
import { gatewayStartMs, logFacts, perConnection } from './log-facts.js';
import { ago } from '../util/format.js';
import { findDevice } from '../snapshot/queries.js';
import { logEvidence } from './util.js';

export const tokenInvalidated: Detector = {
  id: 'token-invalidated',
  role: 'cause',
  detect(s) {
    const facts = logFacts(s);
    const start = gatewayStartMs(s);
    // Counted per connection: one refused connect is logged as `unauthorized` and as `closed before connect`.
    const active = perConnection(facts.tokenMismatch.filter((e) => start === undefined || e.timeMs >= start));
    if (!active.length) return [];
    const first = active[0]!;
    const last = active[active.length - 1]!;
    const evidence: Evidence[] = [logEvidence(last)];
    if (active.length > 1) evidence.unshift({ kind: 'log', text: `${active.length} connections refused with a device-token mismatch since ${new Date(first.timeMs).toISOString()}`, source: first.file });
    const causes: string[] = [];

    const reloadsBefore = facts.reloads.filter((r) => r.timeMs <= first.timeMs && first.timeMs - r.timeMs < 30 * 60 * 1000);
    if (reloadsBefore.length) {
      evidence.push(logEvidence(reloadsBefore[reloadsBefore.length - 1]!));
      causes.push('the config was changed while the gateway ran (it hot-reloaded or restarted itself shortly before the first refusal)');
    }
    const cfgM = s.config.mtimeMs;
    if (cfgM !== undefined && start !== undefined && cfgM > start && s.gateway.running) {
      evidence.push({ kind: 'config', text: `config modified ${ago(s.takenAtMs, cfgM)}, after the gateway started (${ago(s.takenAtMs, start)})`, source: s.config.path });
      if (!reloadsBefore.length) causes.push('the config was edited while the gateway was running');
    }
    const local = s.identity.deviceId ? findDevice(s, s.identity.deviceId) : undefined;
    const cached = s.identity.cachedToken;
    const stored = local?.tokens.find((t) => t.role === 'operator');
    if (cached?.tokenHash && stored?.tokenHash && cached.tokenHash !== stored.tokenHash) {
      evidence.push({
        kind: 'store',
        text: 'the client token cache (identity/device-auth) holds a different operator token than the paired record (compared by hash)',
        ...(s.identity.path ? { source: s.identity.path } : {}),
      });
      causes.push('the device token was rotated or re-minted while a client kept the old one');
    }
    if (s.openclaw.version?.startsWith('2026.2.21') || s.openclaw.version?.startsWith('2026.2.2-')) {
      causes.push('on 2026.2.21 a wrong shared gateway token is misreported as a device token mismatch (check OPENCLAW_GATEWAY_TOKEN in the service)');
    }
    const rotate = local ? `openclaw devices rotate --device ${local.deviceId} --role operator` : undefined;
    return [
      {
        id: 'token-invalidated',
        severity: 'error',
        title: 'The gateway rejects a client device token (device token mismatch)',
        detail:
          `Since the gateway last started it refused a device token on ${active.length} connection(s) (last ${ago(s.takenAtMs, last.timeMs)}). ` +
          (causes.length ? `Likely cause: ${causes.join('; ')}. ` : 'The logs do not show why the token changed. ') +
          'A gateway restart alone does not invalidate tokens; restarting reloads state and old chat sessions keep the dead token, so start a new chat session afterwards.',
        evidence,
        ...(local ? { device: { deviceId: local.deviceId, ...(local.displayName ? { displayName: local.displayName } : {}) } } : {}),
        suggestedFix: {
          kind: 'clawfix',
          description:
            'restart the gateway (stop, start, verify), then open a new chat session' + (rotate ? `; if refusals continue, re-issue the token: ${rotate}` : ''),
          command: 'clawfix fix',
        },
      },
    ];
  },
};
