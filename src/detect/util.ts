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

/** How many examples a finding lists of a long series (requests, refusals); the rest are counted. */
export const EXAMPLES = 3;

/**
 * The last few items of a series that may be huge, built only for the ones kept: a store's 40 000
 * pending requests cost three evidence lines, not 40 000 strings. `count` says how many there were.
 */
export class Tail<T> {
  private readonly items: (() => T)[] = [];
  count = 0;
  constructor(private readonly keep = EXAMPLES) {}
  push(make: () => T): void {
    this.count++;
    this.items.push(make);
    if (this.items.length > this.keep) this.items.shift();
  }
  list(): T[] {
    return this.items.map((make) => make());
  }
}
