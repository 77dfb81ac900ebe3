/**
 * openclaw-not-found: no OpenClaw on this machine as far as clawfix can see (no `openclaw` executable,
 * no state dir, no profile dir, no gateway service, nothing on the port). Then every other check would
 * only describe an empty dir; this says so once and how to point clawfix at the real state, without
 * suggesting an `openclaw` command that is not installed.
 */
import path from 'node:path';
import { openclawAbsent } from '../snapshot/queries.js';
import type { Detector } from '../types.js';

export const openclawNotFound: Detector = {
  id: 'openclaw-not-found',
  role: 'cause',
  detect(s) {
    if (!openclawAbsent(s)) return [];
    return [
      {
        id: 'openclaw-not-found',
        severity: 'warning',
        title: 'OpenClaw does not seem to be installed here',
        detail:
          `clawfix found no \`openclaw\` executable on PATH, no state dir at ${s.stateDir}, no other OpenClaw state dir or gateway service in ${path.dirname(s.stateDir)}, and nothing answers on 127.0.0.1:${s.gateway.port}. ` +
          'If OpenClaw runs as another user, on another machine or in a container, run clawfix there (as that user, over ssh, or with docker exec). ' +
          'If its state is somewhere else, point clawfix at it: --state-dir DIR (the dir holding openclaw.json and devices/ or state/), --profile NAME, or OPENCLAW_STATE_DIR; --openclaw PATH names the executable.',
        evidence: [
          { kind: 'file', text: 'no such state dir', source: s.stateDir },
          { kind: 'process', text: s.openclaw.error ?? 'openclaw is not on PATH' },
        ],
        suggestedFix: { kind: 'manual', description: 'point clawfix at the OpenClaw state dir: clawfix --state-dir DIR diagnose (or --profile NAME)' },
      },
    ];
  },
};
