/**
 * token-scope-mismatch: a device token's scopes disagree with the approved scopes
 * (`AUTH_SCOPE_MISMATCH`, "device token scope mismatch (re-pair or approve scope upgrade)").
 */
import type { Detector, Finding } from '../types.js';
import { missingScopes } from '../util/scopes.js';
import { gatewayStartMs, logFacts } from './log-facts.js';
import { baselineScopes, rulesFor } from '../openclaw/rules.js';
import { list } from '../util/format.js';
import { logEvidence } from './util.js';
import { labelOf } from '../snapshot/queries.js';

export const tokenScopeMismatch: Detector = {
  id: 'token-scope-mismatch',
  role: 'cause',
  detect(s) {
    const findings: Finding[] = [];
    const start = gatewayStartMs(s);
    const logHits = logFacts(s).scopeMismatch.filter((e) => start === undefined || e.timeMs >= start);
    if (s.store.ok) {
      for (const d of s.store.paired) {
        const approved = baselineScopes(s, d);
        for (const t of d.tokens) {
          if (t.revokedAtMs !== undefined || !t.role.startsWith('operator')) continue;
          const outside = missingScopes(t.scopes, approved, rulesFor(s));
          if (!outside.length) continue;
          findings.push({
            id: 'token-scope-mismatch',
            severity: 'warning',
            title: `Token of ${labelOf(s, d)} carries scopes that are not approved (${list(outside)})`,
            detail:
              `The ${t.role} token holds ${list(t.scopes)} but the device is approved for ${list(approved)}. OpenClaw ≥ 6.x refuses such a token ` +
              '("device token scope mismatch"). Re-issuing the token brings it back within the approved scopes.',
            evidence: [{ kind: 'store', text: `tokens.${t.role}.scopes = ${list(t.scopes)}; approved = ${list(approved)}`, source: s.store.paths[0] }, ...logHits.slice(-1).map(logEvidence)],
            device: { deviceId: d.deviceId, ...(d.displayName ? { displayName: d.displayName } : {}) },
            approvedScopes: approved,
            suggestedFix: { kind: 'command', description: 're-issue the token within the approved scopes', command: `openclaw devices rotate --device ${d.deviceId} --role ${t.role}` },
          });
        }
      }
    }
    if (!findings.length && logHits.length) {
      findings.push({
        id: 'token-scope-mismatch',
        severity: 'warning',
        title: 'A client presented a device token whose scopes do not match its approval',
        detail: 'The gateway answered "device token scope mismatch (re-pair or approve scope upgrade)": the client asks for scopes its token does not carry. Approve the scope upgrade or rotate the token.',
        evidence: logHits.slice(-2).map(logEvidence),
        suggestedFix: { kind: 'command', description: 'list requests and approve the exact pending request id', command: 'openclaw devices list' },
      });
    }
    return findings;
  },
};
