/**
 * legacy-device-auth: on the SQLite line (≥ 2026.8.1) a JSON-era client token cache,
 * `identity/device-auth.json`, is still in the state dir. OpenClaw keeps device tokens in SQLite there
 * and its documentation says runtime device auth fails closed while the legacy file exists (9.x docs,
 * gateway/pairing; PR #112663). clawfix never writes or deletes it: OpenClaw's own import does.
 */
import type { Detector } from '../types.js';

export const legacyDeviceAuth: Detector = {
  id: 'legacy-device-auth',
  role: 'cause',
  detect(s) {
    if (s.era.store !== 'sqlite' || !s.legacyDeviceAuth) return [];
    return [
      {
        id: 'legacy-device-auth',
        severity: 'warning',
        title: 'identity/device-auth.json is left over from the JSON store (this OpenClaw keeps device tokens in SQLite)',
        detail:
          `${s.era.reason}. A JSON-era client token cache is still at ${s.legacyDeviceAuth}; OpenClaw's documentation says device-token auth fails closed while it exists, ` +
          'so clients that authenticate with a device token are refused until it is imported and archived. clawfix does not touch it (never create or edit this file on the SQLite line): ' +
          "OpenClaw's own doctor imports the legacy files into SQLite and renames them *.migrated.",
        evidence: [{ kind: 'file', text: 'legacy client token cache on a SQLite-era OpenClaw', source: s.legacyDeviceAuth }],
        suggestedFix: { kind: 'command', description: 'stop the gateway, let OpenClaw import and archive the legacy files, start it again', command: 'openclaw gateway stop && openclaw doctor --fix && openclaw gateway start' },
      },
    ];
  },
};
