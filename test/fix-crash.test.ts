/**
 * kill -9 at every step boundary of `clawfix fix` (CLAWFIX_TEST_CRASH_AT=before:<step>|after:<step>|
 * undo:<step>), against real processes on both store kinds: the store the dead process leaves is the
 * original or the fully patched one (never a mix), its journal holds no secret, the next run prints
 * `recovered:`, leaves no journal and the gateway running, and after that `fix --yes` works.
 * (before:lock is the exception: nothing had started, so there is no journal and nothing to recover.)
 * undo:<patch step> dies mid-rollback (verify failed): the recovery completes the rollback.
 */
import { afterAll, describe, expect } from '@jest/globals';
import fs from 'node:fs';
import { assertNoSecrets, runCli } from './helpers/cli.js';
import type { Fixture } from './helpers/fixtures.js';
import { broken, cleanupAll, fix, isPatched, journalFile, startGateway, stateOf, txTest, type Make } from './helpers/repair.js';
import { agentCall, healthz } from './helpers/wait.js';

afterAll(cleanupAll);

const WRITE = ['operator.write'];

// ---------------------------------------------------------------------------------------------
// kill -9 at every step boundary
// ---------------------------------------------------------------------------------------------

interface Raw {
  files: Record<string, Buffer | null>;
}
function rawStore(f: Fixture): Raw {
  const read = (p: string) => (fs.existsSync(p) ? fs.readFileSync(p) : null);
  return { files: { paired: read(f.paths.paired), pending: read(f.paths.pending), deviceAuth: read(f.paths.deviceAuth) } };
}

/** 'original' | 'patched' — throws on a mix or an unparsable store. */
async function verdict(f: Fixture, before: Awaited<ReturnType<typeof stateOf>>, raw: Raw): Promise<'original' | 'patched'> {
  const now = f.readStore(); // throws if a file does not parse
  if (f.store === 'json') {
    const cur = rawStore(f);
    const same = Object.entries(raw.files).every(([k, v]) => (v === null ? cur.files[k] === null : !!cur.files[k]?.equals(v)));
    if (same) return 'original';
    for (const p of [f.paths.paired, f.paths.pending, f.paths.deviceAuth]) JSON.parse(fs.readFileSync(p, 'utf8'));
  } else if (JSON.stringify(now) === JSON.stringify(before.store)) {
    return 'original';
  }
  if (isPatched(f)) return 'patched';
  throw new Error(`store is neither the original nor the patched version:\n${JSON.stringify(now, null, 2)}`);
}

interface CrashCase {
  point: string;
  /** Extra env for the crashing run (undo:* needs a failure first). */
  env?: Record<string, string>;
  expect?: 'original' | 'patched';
}

function crashCases(steps: string[], patchStep: string): CrashCase[] {
  const patchIdx = steps.indexOf(patchStep);
  const out: CrashCase[] = [];
  steps.forEach((s, i) => {
    out.push({ point: `before:${s}`, expect: i <= patchIdx ? 'original' : 'patched' });
    out.push({ point: `after:${s}`, expect: i < patchIdx ? 'original' : 'patched' });
  });
  // A verification failure makes the undos run; dying before the patch's undo leaves the patched
  // store behind with a journal that says "rolling back".
  out.push({ point: `undo:${patchStep}`, env: { CLAWFIX_TEST_FAULT: 'verify:EIO' }, expect: 'patched' });
  return out;
}

const CRASH_SUITES = [
  {
    name: 'JSON store (2026.7.35)',
    setup: (make: Make) => broken(make, { version: '2026.7.35' }),
    args: ['--yes'],
    cases: crashCases(['lock', 'stop', 'guard', 'backup', 'patch', 'start', 'verify'], 'patch'),
  },
  {
    name: 'SQLite store (2026.9.6), approve path',
    setup: (make: Make) => broken(make, { version: '2026.9.6' }),
    args: ['--yes'],
    cases: crashCases(['lock', 'backup', 'approve', 'verify'], 'approve'),
  },
  {
    name: 'SQLite store (2026.9.6), transaction path',
    setup: async (make: Make) => {
      const f = await make({ version: '2026.9.6', devices: [{ scopes: ['operator.read'] }] });
      await startGateway(f);
      return f;
    },
    args: ['--yes', '--device', '<id>', '--scopes', 'operator.write'],
    cases: crashCases(['backup', 'patch'], 'patch').filter((c) => c.point !== 'before:backup'),
  },
];

describe.each(CRASH_SUITES)('kill -9 during fix on $name', ({ setup, args, cases }) => {
  for (const c of cases) {
    txTest(`${c.point} → store is ${c.expect}; the next run recovers, then fix works`, async (make) => {
      const f = await setup(make);
      const argv = args.map((a) => (a === '<id>' ? f.deviceId : a));
      const before = await stateOf(f);
      const raw = rawStore(f);

      const r = await fix(f, argv, { CLAWFIX_TEST_CRASH_AT: c.point, ...(c.env ?? {}) });
      if (r.signal !== 'SIGKILL') throw new Error(`expected SIGKILL at ${c.point}, got exit ${r.code}\n${r.stdout}\n${r.stderr}`);
      expect(await verdict(f, before, raw)).toBe(c.expect);
      // Killed before it held the lock, it had started nothing: no journal, nothing to recover. From
      // the lock on there is a journal, and it never holds a secret.
      const nothingYet = c.point === 'before:lock';
      expect(fs.existsSync(journalFile(f))).toBe(!nothingYet);
      if (!nothingYet) assertNoSecrets([fs.readFileSync(journalFile(f), 'utf8')], f.secrets);
      if (!nothingYet) {
        // diagnose only reads: it names the interrupted transaction and leaves the journal for fix.
        const d = await runCli(['diagnose', '--json'], { fixture: f });
        expect(d.code).toBe(1);
        expect((JSON.parse(d.stdout) as { findings: { id: string }[] }).findings.map((x) => x.id)).toContain('interrupted-repair');
        expect(fs.existsSync(journalFile(f))).toBe(true);
      }

      const next = await fix(f, argv);
      if (nothingYet) expect(next.stderr).not.toContain('recovered:');
      else expect(next.stderr).toContain('recovered:');
      if (c.point.startsWith('undo:')) expect(next.stderr).toMatch(/recovered:.*restored backup/);
      expect(next.code).toBe(0);
      expect(fs.existsSync(journalFile(f))).toBe(false);
      expect(await healthz(f.port)).toBe(true);
      assertNoSecrets([next.stdout, next.stderr], f.secrets);

      const again = await fix(f, argv);
      expect(again.code).toBe(0);
      expect(again.stderr).not.toContain('recovered:');
      expect(isPatched(f)).toBe(true);
      expect(await healthz(f.port)).toBe(true);
      expect((await agentCall(f.port, WRITE)).ok).toBe(true);
      expect(fs.existsSync(journalFile(f))).toBe(false);
    }, { concurrent: true });
  }
});
