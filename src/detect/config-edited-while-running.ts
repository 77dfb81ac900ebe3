/**
 * config-edited-while-running: the config changed under a running gateway (hot reload lines, or the
 * config's mtime after the gateway's start): how pairing and token trouble often starts.
 */
import type { Detector, Evidence } from '../types.js';
import { gatewayStartMs, logFacts } from './log-facts.js';
import { ago } from '../util/format.js';
import { logEvidence, profileArg } from './util.js';

export const configEditedWhileRunning: Detector = {
  id: 'config-edited-while-running',
  role: 'advice',
  detect(s) {
    const start = gatewayStartMs(s);
    const evidence: Evidence[] = [];
    const reloads = logFacts(s).reloads.filter((e) => start === undefined || e.timeMs >= start);
    evidence.push(...reloads.slice(-2).map(logEvidence));
    const m = s.config.mtimeMs;
    if (m !== undefined && start !== undefined && m > start && s.gateway.running === true) {
      evidence.push({ kind: 'config', text: `config modified ${ago(s.takenAtMs, m)}, after the running gateway started (${ago(s.takenAtMs, start)})`, source: s.config.path });
    }
    if (!evidence.length) return [];
    return [
      {
        id: 'config-edited-while-running',
        severity: 'info',
        title: 'The config was edited while the gateway was running',
        detail:
          'A running gateway reacts to config edits by itself: it hot-reloads or restarts (gateway.* changes restart it under the default hybrid reload mode), ' +
          'can read a half-saved file, and clients keep tokens and sessions from before. That is how "pairing required" and token mismatches often start. ' +
          'clawfix edit-config validates the edit (JSON5, invalid gateway.bind, auth.mode none, …), stops the gateway, installs the file atomically, ' +
          'restarts and verifies it, and puts the old file back if the gateway does not come up.',
        evidence,
        suggestedFix: { kind: 'command', description: 'edit the config through clawfix next time (like visudo)', command: `clawfix${profileArg(s)} edit-config` },
      },
    ];
  },
};
