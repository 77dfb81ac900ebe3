/**
 * Whose log lines are these? The rolling temp-dir files (`/tmp/openclaw/openclaw-YYYY-MM-DD.log`) are
 * shared by every gateway of the machine. A line there counts for this state dir only while this
 * gateway owns the file: after a start line on this port (or before any start line at all); the lines
 * after another port's start line belong to that gateway and are set aside, and said so.
 */
import { sharedLogFile } from '../openclaw/log-locations.js';
import type { LogEvent, LogScan } from '../types.js';

const START_RE = /listening on (?:ws|http)s?:\/\/[^\s/]*:(\d+)/;

export function attributeLogs(scan: LogScan, port: number): LogScan {
  const owner = new Map<string, number>();
  const others = new Map<string, Set<number>>();
  const events: LogEvent[] = [];
  for (const ev of scan.events) {
    if (!sharedLogFile(ev.file)) {
      events.push(ev);
      continue;
    }
    const m = START_RE.exec(ev.text);
    if (m) owner.set(ev.file, Number(m[1]));
    const o = owner.get(ev.file);
    if (o !== undefined && o !== port) {
      others.set(ev.file, (others.get(ev.file) ?? new Set<number>()).add(o));
      continue;
    }
    events.push(ev);
  }
  if (!others.size) return scan;
  return { ...scan, events, foreign: [...others].map(([file, ports]) => ({ file, ports: [...ports].sort((a, b) => a - b) })) };
}
