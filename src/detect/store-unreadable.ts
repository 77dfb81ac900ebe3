/**
 * store-unreadable: the pairing store cannot be read, or is in a shape OpenClaw misreads (`{"devices":[…]}`
 * from guides, arrays, pending entries pasted into paired.json).
 */
import { parseVersion, compareVersion } from '../openclaw/version.js';
import { stateDirUnknown } from '../snapshot/queries.js';
import type { Detector, Finding } from '../types.js';
import { fewIds } from '../util/format.js';

export const storeUnreadable: Detector = {
  id: 'store-unreadable',
  role: 'cause',
  detect(s) {
    const out: Finding[] = [];
    const v = parseVersion(s.openclaw.version);
    const wipesCorrupt = s.store.kind === 'json' && v !== undefined && compareVersion(v, { year: 2026, month: 4, patch: 24, raw: '' }) <= 0;
    if (!s.store.ok && stateDirUnknown(s)) return out; // openclaw-not-found or several-state-dirs says what to do
    if (!s.store.ok) {
      const missing = /does not exist/.test(s.store.error ?? '');
      out.push({
        id: 'store-unreadable',
        severity: missing ? 'warning' : 'error',
        title: missing ? 'No pairing store in this state dir' : 'The pairing store cannot be read',
        detail: missing
          ? `${s.store.error}. If OpenClaw runs with another state dir or profile, point clawfix at it with --state-dir or --profile.`
          : `${s.store.error}. ` +
            (wipesCorrupt
              ? `OpenClaw ${s.openclaw.version} treats an unreadable paired.json as empty and overwrites it, losing every pairing: do not start the gateway until the file is fixed or restored.`
              : 'OpenClaw refuses connections while the store is unreadable (clients see close 1000 with no reason).'),
        evidence: [{ kind: 'file', text: s.store.error ?? 'unreadable', ...(s.store.errorPath ? { source: s.store.errorPath } : {}) }],
        suggestedFix: missing
          ? { kind: 'manual', description: 'check --state-dir/--profile, or pair a device first with the main session' }
          : { kind: 'manual', description: 'restore the file from a backup (`clawfix backups`, `clawfix rollback`) or fix the JSON by hand with the gateway stopped' },
      });
      return out;
    }
    if (s.store.shape === 'devices-wrapper' || s.store.shape === 'array') {
      out.push({
        id: 'store-unreadable',
        severity: 'error',
        title: `devices/paired.json has the ${s.store.shape === 'array' ? 'array' : '{"devices":[…]}'} shape, which OpenClaw does not read as a device list`,
        detail:
          'OpenClaw keeps paired devices in an object keyed by deviceId. ' +
          (s.store.shape === 'array'
            ? 'From 2026.5 an array is read as an empty store.'
            : 'The {"devices":[…]} wrapper from popular guides is read as one device named "devices".') +
          ' clawfix reads it to diagnose, but does not rewrite the shape for you.',
        evidence: [{ kind: 'file', text: `shape: ${s.store.shape}`, source: s.store.paths[0] }],
        suggestedFix: { kind: 'manual', description: 'restore the file OpenClaw wrote (a backup, or `*.bak`), or re-pair the devices' },
      });
    }
    if (s.store.strayPendingInPaired?.length) {
      out.push({
        id: 'store-unreadable',
        severity: 'warning',
        title: 'devices/paired.json contains pending requests',
        detail: `Entries ${fewIds(s.store.strayPendingInPaired)} look like pending requests pasted into paired.json; OpenClaw treats them as devices that cannot connect.`,
        evidence: [{ kind: 'file', text: `${s.store.strayPendingInPaired.length} stray entr${s.store.strayPendingInPaired.length === 1 ? 'y' : 'ies'}: ${fewIds(s.store.strayPendingInPaired)}`, source: s.store.paths[0] }],
        suggestedFix: { kind: 'manual', description: 'remove those entries with the gateway stopped, then approve the requests with openclaw devices approve <id>' },
      });
    }
    return out;
  },
};
