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

/**
 * Nothing of OpenClaw is here: no `openclaw` executable found, no state dir where clawfix looked, no
 * other state dir or gateway service in the home dir, nothing answering on the gateway port. Only
 * decided when clawfix was not pointed at a location (then `discovery` is set).
 */
export function openclawAbsent(s: Snapshot): boolean {
  return !s.openclaw.executable && !s.stateDirExists && !!s.discovery && !s.discovery.candidates.length && s.gateway.running !== true;
}

/**
 * clawfix does not know which state dir is the gateway's: OpenClaw is absent, or the default dir holds
 * nothing while several others do. Checks of the (empty) default dir would only mislead then; the
 * openclaw-not-found / several-state-dirs findings say what to do.
 */
export function stateDirUnknown(s: Snapshot): boolean {
  const d = s.discovery;
  return openclawAbsent(s) || (!!d && d.defaultEmpty && !d.chosen && d.candidates.length > 1);
}
