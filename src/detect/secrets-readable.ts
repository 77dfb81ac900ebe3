/**
 * secrets-readable: token and key files of the state dir (paired devices' tokens, this machine's
 * private key, the client token cache, the SQLite store) that group or others can read. OpenClaw
 * writes them 0600; a copy made with `cp`, an editor or a guide's script often is 0644.
 */
import type { Detector } from '../types.js';
import { shellWord } from '../util/shell.js';

const octal = (m: number) => `0${m.toString(8).padStart(3, '0')}`;

export const secretsReadable: Detector = {
  id: 'secrets-readable',
  role: 'advice',
  detect(s) {
    const files = s.exposedSecretFiles ?? [];
    if (!files.length) return [];
    return [
      {
        id: 'secrets-readable',
        severity: 'warning',
        title: `${files.length} token/key file(s) in ${s.stateDir} can be read by other users`,
        detail:
          'These files hold device tokens or this machine\'s private key; OpenClaw writes them 0600 (owner only). Anyone who can read them can connect as these devices. ' +
          'clawfix keeps file modes as it finds them and never changes them on its own.',
        evidence: files.map((f) => ({ kind: 'file' as const, text: `mode ${octal(f.mode)} (readable by ${f.mode & 0o004 ? 'everyone' : 'the group'})`, source: f.path })),
        suggestedFix: { kind: 'command', description: 'make them readable by their owner only', command: `chmod 600 ${files.map((f) => shellWord(f.path)).join(' ')}` },
      },
    ];
  },
};
