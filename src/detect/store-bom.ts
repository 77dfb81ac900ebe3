/**
 * store-bom: a pairing store file starts with a UTF-8 byte-order mark (an editor saved it so).
 * OpenClaw reads it with `JSON.parse(buf.toString('utf8'))`, which rejects the BOM: up to 2026.4.24 the
 * file then reads as empty and is overwritten on the next write (every pairing lost); later releases
 * refuse it. clawfix's repair writes the file back without the BOM (gateway stopped, backed up).
 */
import { compareVersion, parseVersion } from '../openclaw/version.js';
import type { Detector } from '../types.js';
import { logFacts } from './log-facts.js';
import { logEvidence } from './util.js';

export const storeBom: Detector = {
  id: 'store-bom',
  role: 'cause',
  detect(s) {
    const files = s.store.kind === 'json' ? (s.store.bomFiles ?? []) : [];
    if (!files.length) return [];
    const v = parseVersion(s.openclaw.version);
    const wipes = v !== undefined && compareVersion(v, { year: 2026, month: 4, patch: 24, raw: '' }) <= 0;
    const names = files.map((f) => f.split('/').slice(-2).join('/')).join(' and ');
    const lines = logFacts(s).jsonReadErrors.filter((e) => files.some((f) => e.text.includes(f.split('/').pop()!)));
    return [
      {
        id: 'store-bom',
        severity: 'error',
        title: `${names} start${files.length === 1 ? 's' : ''} with a UTF-8 byte-order mark, which OpenClaw cannot read`,
        detail:
          `OpenClaw reads its JSON state with JSON.parse, which rejects a leading byte-order mark (U+FEFF), so the gateway cannot read ${names}. ` +
          (wipes
            ? `OpenClaw ${s.openclaw.version} then treats the file as empty and overwrites it on its next write, losing every pairing: do not start the gateway before it is rewritten. `
            : 'The gateway refuses connections that need the store while it is unreadable. ') +
          'The content itself is valid JSON: clawfix fix writes it back without the mark (the gateway stopped, the file backed up), nothing else changes.',
        evidence: [...files.map((f) => ({ kind: 'file' as const, text: 'starts with the bytes EF BB BF (UTF-8 byte-order mark)', source: f })), ...lines.slice(-2).map(logEvidence)],
        suggestedFix: { kind: 'clawfix', description: 'rewrite the file without the byte-order mark (gateway stopped, backed up, restarted and verified)', command: 'clawfix fix' },
      },
    ];
  },
};
