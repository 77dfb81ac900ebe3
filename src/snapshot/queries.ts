/** Questions asked of a snapshot's pairing store by detectors and planners alike. Pure. */
import type { PairedDevice, PendingRequest, Snapshot } from '../types.js';
import { deviceLabel, shortId } from '../util/format.js';

/** OpenClaw drops a pending request after 5 minutes (PENDING_TTL_MS). */
export const PENDING_TTL_MS = 5 * 60 * 1000;

export function findDevice(s: Snapshot, deviceId: string): PairedDevice | undefined {
  return s.store.paired.find((d) => d.deviceId === deviceId);
}

/** The device's pending requests, oldest first. */
export function pendingFor(s: Snapshot, deviceId: string): PendingRequest[] {
  return s.store.pending.filter((p) => p.deviceId === deviceId).sort((a, b) => (a.refreshedAtMs ?? a.ts) - (b.refreshedAtMs ?? b.ts));
}

export function isExpired(s: Snapshot, p: PendingRequest): boolean {
  return s.takenAtMs - (p.refreshedAtMs ?? p.ts) > PENDING_TTL_MS;
}

/**
 * How to name a device in messages. This machine's own identity is named by what it is: its record's
 * clientId/displayName is whichever client connected last (on 2.21 the same record reads `cli` in one
 * run and `gateway-client` in the next).
 */
export function labelOf(s: Snapshot, d: { deviceId: string; displayName?: string; clientId?: string }): string {
  return d.deviceId === s.identity.deviceId ? `this machine's own identity (${shortId(d.deviceId)})` : deviceLabel(d);
}
