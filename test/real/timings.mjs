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

const mb = (b) => `${Math.round(b / 1e6)} MB`;

/**
 * The end-of-run summary: per version the install (fresh, or cached with what the first install took),
 * the cold start and every phase; the facts observed; the whole run; and an estimate for a CI run
 * with fresh installs (this run's test time plus the recorded install time of every cached version).
 */
export function formatTimings(entries, now = Date.now()) {
  const start = entries.find((e) => e.kind === 'suite-start')?.at ?? now;
  const lines = ['', 'clawfix end-to-end against real OpenClaw gateways — timings'];
  const versions = [...new Set(entries.filter((e) => e.version).map((e) => e.version))];
  let installMsThisRun = 0;
  let installMsIfFresh = 0;
  for (const v of versions) {
    const inst = entries.find((e) => e.kind === 'install' && e.version === v);
    const parts = [];
    if (inst) {
      if (inst.installed) installMsThisRun += inst.ms ?? 0;
      installMsIfFresh += inst.ms ?? 0;
      const size = inst.bytes ? `, ${mb(inst.bytes)}` : '';
      parts.push(inst.installed ? `install ${s(inst.ms)} (fresh${size})` : `install cached${inst.ms ? ` (first install took ${s(inst.ms)}${size})` : ''}`);
    }
    const phases = entries.filter((x) => x.kind === 'phase' && x.version === v);
    for (const e of phases) parts.push(`${e.name} ${s(e.ms)}`);
    const testMs = phases.reduce((a, e) => a + (e.ms ?? 0), 0);
    lines.push(`  openclaw@${v}: ${parts.join(' · ')}${phases.length ? ` — phases total ${s(testMs)}` : ''}`);
  }
  const facts = entries.filter((e) => e.kind === 'fact');
  if (facts.length) {
    lines.push('', 'observed on the real gateways');
    for (const f of facts) lines.push(`  openclaw@${f.version} ${f.name}: ${f.text}`);
  }
  const whole = now - start;
  const wall = entries.find((e) => e.kind === 'install-wall');
  lines.push('', `  whole run (install + tests): ${s(whole)}`);
  if (wall) lines.push(`  installs in this run: ${s(wall.ms)} wall clock (${wall.installed ? 'fresh' : 'all cached'}, ${wall.concurrency} at a time)`);
  const testsOnly = whole - (wall?.installed ? wall.ms : installMsThisRun);
  lines.push(
    `  estimate for CI with fresh installs: ${s(testsOnly + installMsIfFresh)} (tests ${s(testsOnly)} + installs ${s(installMsIfFresh)} one after the other as recorded;` +
      ` ${wall?.concurrency ?? 3} at a time take less)`,
  );
  return lines.join('\n');
}
