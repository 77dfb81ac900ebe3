/**
 * state-dir-not-writable: clawfix runs as a user who cannot write the state dir (or the store dir a
 * repair writes in): every repair would fail, so say whose dir it is and how to run as its owner.
 */
import type { Detector } from '../types.js';
import { asOwnerCommand } from '../util/shell.js';

export const stateDirNotWritable: Detector = {
  id: 'state-dir-not-writable',
  role: 'cause',
  detect(s) {
    const a = s.access;
    if (!a?.notWritable) return [];
    const owner = `${a.ownerName ? `${a.ownerName}, ` : ''}uid ${a.ownerUid}`;
    return [
      {
        id: 'state-dir-not-writable',
        severity: 'warning',
        title: `clawfix runs as uid ${a.uid}, which cannot write ${a.notWritable} (owned by ${owner})`,
        detail:
          `A repair writes the pairing store and clawfix's lock and backups in ${s.stateDir}; as uid ${a.uid} every repair would fail. ` +
          `Run as the owner of ${s.stateDir} (uid ${a.ownerUid}). Do not change the owner or mode of OpenClaw's files to make them writable.`,
        evidence: [{ kind: 'file', text: `not writable by uid ${a.uid}; owner ${owner}`, source: a.notWritable }],
        suggestedFix: { kind: 'command', description: `run as the owner of ${s.stateDir} (uid ${a.ownerUid})`, command: asOwnerCommand(s.stateDir, a, 'diagnose') },
      },
    ];
  },
};
