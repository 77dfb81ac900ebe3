/**
 * The wizard (`clawfix` with no command) in a real terminal (tmux) against the fake `openclaw`:
 * accept, decline, pick a device, refuse admin, Ctrl-C mid-way. Assertions on screen text and files.
 */
import { afterEach, describe, expect, test } from '@jest/globals';
import { cliEnv, hashTree, runCli, runOpenclaw } from './helpers/cli.js';
import { makeStateDir, type Fixture, type FixtureOptions } from './helpers/fixtures.js';
import * as L from './helpers/logs.js';
import { haveTmux, openTerminal, type Terminal } from './helpers/tmux.js';
import { agentCall, healthz, waitFor } from './helpers/wait.js';

const fixtures: Fixture[] = [];
const terms: Terminal[] = [];
afterEach(async () => {
  terms.splice(0).forEach((t) => t.close());
  await Promise.all(fixtures.splice(0).map((f) => f.cleanup()));
});

const ENV = { CLAWFIX_START_TIMEOUT_MS: '8000', CLAWFIX_STOP_TIMEOUT_MS: '8000', TERM: 'xterm-256color' };

async function broken(o: FixtureOptions = {}, subagentScopes = ['operator.write']): Promise<Fixture> {
  const f = await makeStateDir({ devices: [{ scopes: ['operator.read'] }], ...o });
  fixtures.push(f);
  f.fake.writeCtl({ subagentScopes });
  expect((await runOpenclaw(['gateway', 'start'], { fixture: f })).code).toBe(0);
  await waitFor(() => healthz(f.port), { timeoutMs: 10_000, what: 'gateway up' });
  return f;
}

function term(f: Fixture, args: string[] = []): Terminal {
  const env = cliEnv({ fixture: f, env: ENV });
  delete env.NO_COLOR;
  const t = openTerminal(args, env);
  terms.push(t);
  return t;
}

const ignoreVolatile = { ignore: (p: string) => /sqlite-(wal|shm)$/.test(p) };

(haveTmux() ? describe : describe.skip)('wizard in a real terminal', () => {
  test('accept: explains the cause, shows the diff, applies, summary with backup id', async () => {
    const f = await broken();
    const t = term(f);
    await t.waitForText('What now?');
    const s = t.screen();
    expect(s).toContain('was refused operator.write');
    expect(s).toMatch(/\+\s+"operator\.write"/);
    t.keys('Enter'); // Apply this repair (first choice)
    expect(await t.exitCode()).toBe(0);
    const end = t.screen();
    expect(end).toContain('Repaired');
    expect(end).toMatch(/clawfix rollback \d{8}-\d{6}-[0-9a-f]{4}/);
    expect(f.readStore().paired[f.deviceId]!.approvedScopes).toEqual(['operator.read', 'operator.write']);
    expect((await agentCall(f.port)).ok).toBe(true);
  });

  test('decline: Cancel changes nothing', async () => {
    const f = await broken();
    const before = await hashTree(f.stateDir, ignoreVolatile);
    const t = term(f);
    await t.waitForText('What now?');
    t.keys('Down', 'Down', 'Enter');
    expect(await t.exitCode()).toBe(0);
    expect(t.screen()).toContain('Nothing was changed');
    expect(await hashTree(f.stateDir, ignoreVolatile)).toEqual(before);
  });

  test('refuse admin: grants write only and says what it held back', async () => {
    const f = await broken({}, ['operator.admin', 'operator.write']);
    const t = term(f);
    await t.waitForText('Grant operator.admin too?');
    expect(t.screen()).toContain('operator.admin lets the device');
    t.type('n');
    t.keys('Enter');
    await t.waitForText('What now?');
    t.keys('Enter');
    expect(await t.exitCode()).toBe(1);
    expect(t.screen()).toContain('held back: operator.admin');
    expect(f.readStore().paired[f.deviceId]!.approvedScopes).toEqual(['operator.read', 'operator.write']);
  });

  test('pick a device when several were refused', async () => {
    const f = await makeStateDir({ devices: [{ scopes: ['operator.read'] }, { local: false, scopes: ['operator.read'], clientId: 'other-app' }] });
    fixtures.push(f);
    const ids = Object.keys(f.readStore().paired);
    const other = ids.find((i) => i !== f.deviceId)!;
    f.appendLog(ids.map((id) => L.auditScopeUpgrade({ deviceId: id, from: ['operator.read'], to: ['operator.write'], time: Date.now() - 5000 })));
    const t = term(f);
    await t.waitForText('Which one should be repaired?');
    t.keys('Down', 'Enter');
    await t.waitForText('What now?');
    t.keys('Enter');
    expect(await t.exitCode()).toBe(0);
    const store = f.readStore();
    const chosen = store.paired[other]!.approvedScopes!.includes('operator.write') ? other : f.deviceId;
    const untouched = chosen === other ? f.deviceId : other;
    expect(store.paired[chosen]!.approvedScopes).toEqual(['operator.read', 'operator.write']);
    expect(store.paired[untouched]!.approvedScopes).toEqual(['operator.read']);
  });

  test('change scopes: the checkbox edits the plan before applying', async () => {
    const f = await broken({}, ['operator.write', 'operator.pairing']);
    const t = term(f);
    await t.waitForText('What now?');
    t.keys('Down', 'Enter'); // Change which scopes to grant
    await t.waitForText('Scopes to grant');
    // Both requested scopes are pre-checked; untick the second one.
    t.keys('Down', 'Space', 'Enter');
    await t.waitForText(/Plan: Grant operator\.\w+ to/);
    await t.waitForText('What now?');
    t.keys('Enter');
    expect(await t.exitCode()).toBe(0);
    const approved = f.readStore().paired[f.deviceId]!.approvedScopes!;
    expect(approved).toHaveLength(2);
    expect(approved[0]).toBe('operator.read');
  });

  test('Ctrl-C at a prompt exits 130 with nothing changed', async () => {
    const f = await broken();
    const before = await hashTree(f.stateDir, ignoreVolatile);
    const t = term(f);
    await t.waitForText('What now?');
    t.keys('C-c');
    expect(await t.exitCode()).toBe(130);
    expect(await hashTree(f.stateDir, ignoreVolatile)).toEqual(before);
    expect(await healthz(f.port)).toBe(true);
  });

  test('Ctrl-C during the transaction rolls it back and exits 130', async () => {
    const f = await broken();
    // The restart takes a while (time to interrupt it), and the restarted gateway does not simulate
    // the sub-agent again (a real gateway would write a fresh pending request, which is not clawfix's).
    f.fake.writeCtl({ startDelayMs: 4000, subagentScopes: [] });
    const before = await hashTree(f.stateDir, ignoreVolatile);
    const t = term(f);
    await t.waitForText('What now?');
    t.keys('Enter');
    // The step list's own line (not the plan's "5. Patch the store"): the store is patched and the slow
    // restart is under way, the worst moment to be interrupted.
    await t.waitForText('✔ Patch the store');
    t.keys('C-c');
    expect(await t.exitCode(40_000)).toBe(130);
    const s = t.screen();
    expect(s).toMatch(/rolling back/);
    expect(s).toMatch(/undid: Patch the store/);
    const after = await hashTree(f.stateDir, { ignore: (p) => /sqlite-(wal|shm)$/.test(p) || p.startsWith('clawfix') });
    const beforeNoClawfix = new Map([...before].filter(([k]) => !k.startsWith('clawfix')));
    expect(after).toEqual(beforeNoClawfix);
    await waitFor(() => healthz(f.port), { timeoutMs: 15_000, what: 'gateway running again' });
  });

  test('nothing wrong: says so and exits 0; offers to roll back the last repair', async () => {
    const f = await broken();
    expect((await runCli(['fix', '--yes'], { fixture: f, env: ENV })).code).toBe(0);
    const t = term(f);
    await t.waitForText('Roll it back?');
    expect(t.screen()).toContain('No pairing problems found');
    t.type('y');
    t.keys('Enter');
    expect(await t.exitCode()).toBe(0);
    expect(f.readStore().paired[f.deviceId]!.approvedScopes).toEqual(['operator.read']);
  });
});

test('no TTY: `clawfix` alone exits 2 and names --yes and --dry-run', async () => {
  const f = await makeStateDir({});
  fixtures.push(f);
  const r = await runCli([], { fixture: f });
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('--yes');
  expect(r.stderr).toContain('--dry-run');
});
