/** Timings of one `npm run test:real`, appended as JSON lines to <run root>/timings.jsonl. */
import fs from 'node:fs';
import path from 'node:path';

export function timingsFile() {
  const root = process.env.CLAWFIX_E2E_RUN_ROOT;
  return root ? path.join(root, 'timings.jsonl') : undefined;
}

export function recordTiming(entry) {
  const f = timingsFile();
  if (f) fs.appendFileSync(f, `${JSON.stringify(entry)}\n`);
}

export function readTimings() {
  const f = timingsFile();
  if (!f || !fs.existsSync(f)) return [];
  return fs.readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

const s = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** The end-of-run summary. */
export function formatTimings(entries, now = Date.now()) {
  const start = entries.find((e) => e.kind === 'suite-start')?.at ?? now;
  const lines = ['', 'clawfix end-to-end against real OpenClaw gateways — timings'];
  const versions = [...new Set(entries.filter((e) => e.version).map((e) => e.version))];
  for (const v of versions) {
    const inst = entries.find((e) => e.kind === 'install' && e.version === v);
    const parts = [];
    if (inst) parts.push(inst.installed ? `install ${s(inst.ms)} (fresh, ${Math.round(inst.bytes / 1e6)} MB)` : `install cached${inst.ms ? ` (first install took ${s(inst.ms)})` : ''}`);
    for (const e of entries.filter((x) => x.kind === 'phase' && x.version === v)) parts.push(`${e.name} ${s(e.ms)}`);
    lines.push(`  openclaw@${v}: ${parts.join(' · ')}`);
  }
  lines.push(`  whole run (install + tests): ${s(now - start)}`);
  return lines.join('\n');
}
