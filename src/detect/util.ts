/** Evidence from a log line, shared by detectors. */
import type { Evidence, LogEvent } from '../types.js';
import { redactPatterns } from '../util/redact.js';
import { excerpt } from './log-facts.js';

export function logEvidence(ev: LogEvent): Evidence {
  return { kind: 'log', text: redactPatterns(excerpt(ev)), source: ev.file, timeMs: ev.timeMs };
}

/** `--profile NAME` for commands when clawfix was pointed at a profile. */
export function profileArg(s: { profile?: string }): string {
  return s.profile ? ` --profile ${s.profile}` : '';
}
