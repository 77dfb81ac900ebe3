/**
 * OpenClaw versions and eras (see shared notes): which store is authoritative and how the gateway
 * treats local scope upgrades. Pure functions.
 */
import type { EraInfo, StoreKind } from '../types.js';

export interface ParsedVersion {
  year: number;
  month: number;
  patch: number;
  pre?: string;
  raw: string;
}

/** Accepts `2026.9.6`, `OpenClaw 2026.9.6 (eb377ac)`, `2026.7.2-beta.3`, `v2026.2.21-2`. */
export function parseVersion(text: string | undefined): ParsedVersion | undefined {
  if (!text) return undefined;
  const m = /(\d{4})\.(\d{1,2})\.(\d{1,3})(?:-([0-9A-Za-z.-]+))?/.exec(text);
  if (!m) return undefined;
  const pre = m[4];
  return {
    year: Number(m[1]),
    month: Number(m[2]),
    patch: Number(m[3]),
    ...(pre !== undefined && /[a-z]/i.test(pre) ? { pre } : {}),
    raw: m[0],
  };
}

/** Compare (year, month, patch); prereleases sort before their release. */
export function compareVersion(a: ParsedVersion, b: ParsedVersion): number {
  return a.year - b.year || a.month - b.month || a.patch - b.patch || (a.pre ? (b.pre ? 0 : -1) : b.pre ? 1 : 0);
}

function at(v: ParsedVersion, y: number, m: number, p: number): number {
  return compareVersion({ ...v, pre: undefined }, { year: y, month: m, patch: p, raw: '' });
}

/** The store a version uses: JSON up to 2026.7.1 and on the 7.33–7.35 line; SQLite from the 7.2 betas on. */
export function storeForVersion(v: ParsedVersion): StoreKind {
  if (v.year < 2026) return 'json';
  if (v.year > 2026) return 'sqlite';
  if (v.month < 7) return 'json';
  if (v.month > 7) return 'sqlite';
  // 2026.7.x: 7.0/7.1 JSON; 7.2 betas (and anything up to 7.32) SQLite; 7.33+ the JSON maintenance line.
  if (v.patch <= 1) return 'json';
  if (v.patch >= 33) return 'json';
  return 'sqlite';
}

export function eraForVersion(v: ParsedVersion): Omit<EraInfo, 'reason'> {
  const store = storeForVersion(v);
  if (store === 'sqlite') return { era: 'E5', store, localScopeUpgradeSilent: true };
  if (v.year < 2026 || at(v, 2026, 1, 30) <= 0) return { era: 'E0', store, localScopeUpgradeSilent: true };
  if (at(v, 2026, 2, 17) <= 0) return { era: 'E1', store, localScopeUpgradeSilent: true };
  if (at(v, 2026, 2, 21) <= 0) return { era: 'E2', store, localScopeUpgradeSilent: false };
  // 2026.3.28–3.31 already never approve a local scope upgrade and read approvedScopes first (E4 in the package code).
  if (at(v, 2026, 3, 27) <= 0) return { era: 'E3', store, localScopeUpgradeSilent: true };
  return { era: 'E4', store, localScopeUpgradeSilent: false };
}

export interface StoreEvidence {
  jsonPairedExists: boolean;
  jsonMigrated: boolean;
  sqliteExists: boolean;
  sqlitePairedRows: number;
}

/**
 * Decide which store is authoritative, from the version when known and from where the data is.
 * 7.35 creates an empty SQLite file too, so the mere existence of the database proves nothing.
 */
export function decideEra(versionText: string | undefined, ev: StoreEvidence): EraInfo {
  const v = parseVersion(versionText);
  if (v) {
    const e = eraForVersion(v);
    const why =
      e.store === 'sqlite'
        ? `OpenClaw ${v.raw} keeps pairings in SQLite (state/openclaw.sqlite); JSON files under devices/ are ignored`
        : `OpenClaw ${v.raw} keeps pairings in devices/paired.json (the JSON store)`;
    return { ...e, reason: why };
  }
  // Unknown version: follow the data.
  if (ev.sqlitePairedRows > 0 || (ev.sqliteExists && ev.jsonMigrated)) {
    return {
      era: 'unknown',
      store: 'sqlite',
      reason: 'OpenClaw version unknown; state/openclaw.sqlite holds the paired devices, so it is taken as authoritative',
    };
  }
  if (ev.jsonPairedExists) {
    return {
      era: 'unknown',
      store: 'json',
      reason: 'OpenClaw version unknown; devices/paired.json exists and the SQLite store has no pairings, so JSON is taken as authoritative',
    };
  }
  return {
    era: 'unknown',
    store: ev.sqliteExists ? 'sqlite' : 'json',
    reason: 'OpenClaw version unknown and no pairing store found',
  };
}
