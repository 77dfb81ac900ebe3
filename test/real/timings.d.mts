export interface TimingEntry {
  kind: 'suite-start' | 'install' | 'install-wall' | 'phase' | 'fact';
  version?: string;
  name?: string;
  ms?: number;
  at?: number;
  installed?: boolean;
  bytes?: number;
  concurrency?: number;
  /** kind 'fact': what was observed on this version's real gateway. */
  text?: string;
}
export function timingsFile(): string | undefined;
export function recordTiming(entry: TimingEntry): void;
export function readTimings(): TimingEntry[];
export function formatTimings(entries: TimingEntry[], now?: number): string;
