/** Evidence from a log line, shared by detectors. */
import type { AuditFields, Evidence, LogEvent } from '../types.js';
import { shortId } from '../util/format.js';
import { redactPatterns } from '../util/redact.js';
import { excerpt, parseAudit, type Audit } from './log-facts.js';

/**
 * Evidence from a log line: an excerpt, cut to one line. A gateway audit line is rebuilt from its
 * fields instead, with the 64-hex device id shortened and everything else whole (cutting the raw line
 * used to eat scopesTo, client and conn), and its fields are given as data too.
 */
export function logEvidence(ev: LogEvent): Evidence {
  const a = parseAudit(ev);
  if (a) return auditEvidence(a);
  return { kind: 'log', text: redactPatterns(excerpt(ev)), source: ev.file, timeMs: ev.timeMs };
}

function auditEvidence(a: Audit): Evidence {
  const text =
    `security audit: device access upgrade requested reason=${a.reason} device=${shortId(a.deviceId)} ip=${a.ip} auth=${a.auth} ` +
    `roleFrom=${a.roleFrom} roleTo=${a.roleTo} scopesFrom=${a.raw.scopesFrom} scopesTo=${a.raw.scopesTo} client=${a.client}${a.conn ? ` conn=${a.conn}` : ''}`;
  const audit: AuditFields = {
    reason: a.reason,
    deviceId: a.deviceId,
    scopesFrom: a.scopesFrom,
    scopesTo: a.scopesTo,
    client: a.client,
    ...(a.conn ? { conn: a.conn } : {}),
    ip: a.ip,
    auth: a.auth,
    roleFrom: a.roleFrom,
    roleTo: a.roleTo,
  };
  return { kind: 'log', text: redactPatterns(text), source: a.ev.file, timeMs: a.ev.timeMs, audit };
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
