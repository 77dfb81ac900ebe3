/**
 * legacy-store-ignored: a JSON pairing store left behind on an OpenClaw that reads SQLite only.
 */
import type { Detector } from '../types.js';
import { logFacts } from './log-facts.js';
import { logEvidence } from './util.js';

export const legacyStore: Detector = {
  id: 'legacy-store-ignored',
  role: 'cause',
  detect(s) {
    if (s.era.store !== 'sqlite' || !s.legacyJson) return [];
    const lines = logFacts(s).legacyStore;
    return [
      {
        id: 'legacy-store-ignored',
        severity: 'warning',
        title: 'devices/paired.json is ignored by this OpenClaw (it reads state/openclaw.sqlite)',
        detail:
          `${s.era.reason}. The JSON store beside it (${s.legacyJson.deviceCount} device record(s)) has no effect: edits to it, ` +
          'like the ones popular guides describe, change nothing. Devices only in the JSON file must be imported by OpenClaw itself.',
        evidence: [
          { kind: 'file', text: `legacy store with ${s.legacyJson.deviceCount} record(s)`, source: s.legacyJson.paths[0] },
          ...lines.slice(-1).map(logEvidence),
        ],
        suggestedFix: { kind: 'command', description: 'stop the gateway, let OpenClaw import and archive the legacy files, start it again', command: 'openclaw gateway stop && openclaw doctor --fix && openclaw gateway start' },
      },
    ];
  },
};
