/**
 * The user's real state dir, found without flags, through the built CLI in a temp HOME: a user with
 * only a `work` profile (~/.openclaw-work, unit openclaw-gateway-work.service pinning
 * OPENCLAW_STATE_DIR) gets that dir diagnosed and repaired (the gateway driven with `--profile work`);
 * several candidates get a warning naming each `--profile`; an installed service of another profile
 * beside a default dir is named; and with no OpenClaw at all clawfix says so, without suggesting an
 * `openclaw` command that is not installed.
 */
import { afterEach, describe, expect, test } from '@jest/globals';
import fs from 'node:fs';
import path from 'node:path';
import { runCli, runOpenclaw, type RunOptions } from './helpers/cli.js';
import { makeStateDir, readStoreAt, type Fixture, type FixtureOptions } from './helpers/fixtures.js';
import * as L from './helpers/logs.js';
import { FAST } from './helpers/repair.js';
import { healthz, waitFor } from './helpers/wait.js';

const fixtures: Fixture[] = [];
const roots: string[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.cleanup()));
  for (const r of roots.splice(0)) fs.rmSync(r, { recursive: true, force: true });
});

/** clawfix told nothing about where the state is: OpenClaw's location variables unset. */
const UNPOINTED = { OPENCLAW_STATE_DIR: '', OPENCLAW_CONFIG_PATH: '', OPENCLAW_PROFILE: '' };

interface Doc {
  openclaw: { stateDir: string; stateDirSource: string; configPath: string; gateway: { running: boolean | null; port: number } };
  findings: { id: string; severity: string; title: string; detail: string; suggestedFix: { kind: string; command?: string; description: string } }[];
}

async function diagnose(f: Fixture, extra: Partial<RunOptions> = {}): Promise<{ code: number; doc: Doc; stdout: string }> {
  const r = await runCli(['diagnose', '--json'], { fixture: f, ...extra, env: { ...UNPOINTED, ...(extra.env ?? {}) } });
  return { code: r.code, doc: JSON.parse(r.stdout) as Doc, stdout: r.stdout };
}

/** The fixture's state dir moved to ~/.openclaw-<profile> (config, store, identity as OpenClaw wrote them). */
async function profileOnly(profile: string, o: FixtureOptions = {}): Promise<{ f: Fixture; dir: string }> {
  const f = await makeStateDir({ devices: [{ scopes: ['operator.read'] }], pending: [{ scopes: ['operator.read', 'operator.write'] }], ...o });
  fixtures.push(f);
  const dir = path.join(f.home, `.openclaw-${profile}`);
  fs.renameSync(f.stateDir, dir);
  f.appendLog([L.auditScopeUpgrade({ deviceId: f.deviceId, from: ['operator.read'], to: ['operator.read', 'operator.write'], time: Date.now() - 30_000 })]);
  return { f, dir };
}

/** `openclaw --profile <p> gateway install`'s unit, pinning the state dir. */
function unit(f: Fixture, profile: string | undefined, stateDir?: string): string {
  const d = path.join(f.home, '.config', 'systemd', 'user');
  fs.mkdirSync(d, { recursive: true });
  const file = path.join(d, `openclaw-gateway${profile ? `-${profile}` : ''}.service`);
  const env = [stateDir ? `OPENCLAW_STATE_DIR=${stateDir}` : '', profile ? `OPENCLAW_PROFILE=${profile}` : ''].filter(Boolean).join(' ');
  fs.writeFileSync(file, `[Unit]\nDescription=OpenClaw Gateway\n\n[Service]\nExecStart=/usr/bin/openclaw gateway run\n${env ? `Environment=${env}\n` : ''}Restart=always\n`);
  return file;
}

describe('only a work profile (no ~/.openclaw)', () => {
  test('plain `clawfix diagnose` diagnoses ~/.openclaw-work: its gateway, its port, its refused sub-agent', async () => {
    const { f, dir } = await profileOnly('work');
    unit(f, 'work', '%h/.openclaw-work');
    expect((await runOpenclaw(['--profile', 'work', 'gateway', 'start'], { fixture: f, env: UNPOINTED })).code).toBe(0);
    await waitFor(() => healthz(f.port), { what: 'the work gateway' });
    const { code, doc } = await diagnose(f);
    expect(doc.openclaw).toMatchObject({ stateDir: dir, stateDirSource: 'discovered', configPath: path.join(dir, 'openclaw.json'), gateway: { running: true, port: f.port } });
    expect(doc.findings.map((x) => x.id)).toContain('scope-upgrade');
    expect(doc.findings.map((x) => x.id)).not.toContain('gateway-not-running');
    expect(doc.findings.map((x) => x.id)).not.toContain('store-unreadable');
    expect(code).toBe(1);
    const human = await runCli(['diagnose'], { fixture: f, env: UNPOINTED });
    expect(human.stdout).toContain(`State     ${dir} (discovered: the only OpenClaw state dir here, the gateway service systemd unit openclaw-gateway-work.service uses it`);
    expect(human.stdout).toContain('same as --profile work');
  });

  test('`clawfix fix --yes` repairs that store and drives that profile\'s gateway (`openclaw --profile work gateway stop/start`)', async () => {
    const { f, dir } = await profileOnly('work');
    unit(f, 'work', '%h/.openclaw-work');
    expect((await runOpenclaw(['--profile', 'work', 'gateway', 'start'], { fixture: f, env: UNPOINTED })).code).toBe(0);
    await waitFor(() => healthz(f.port), { what: 'the work gateway' });
    const r = await runCli(['fix', '--yes'], { fixture: f, env: { ...UNPOINTED, ...FAST }, timeoutMs: 45_000 });
    expect(r.stderr + r.stdout).toContain('Repaired');
    expect(r.code).toBe(0);
    const d = readStoreAt(dir, 'json').paired[f.deviceId]!;
    expect(d.approvedScopes).toEqual(['operator.read', 'operator.write']);
    expect(f.fake.calls().filter((c) => c.includes('gateway'))).toEqual(['--profile work gateway start', '--profile work gateway stop', '--profile work gateway start']);
    expect(fs.existsSync(path.join(f.home, '.openclaw'))).toBe(false);
    expect(await healthz(f.port)).toBe(true);
  });
});

describe('several candidates, or a service of another profile', () => {
  test('no ~/.openclaw and two profile dirs: a warning naming --profile for each, nothing diagnosed as if it were the gateway\'s', async () => {
    const { f } = await profileOnly('work');
    const personal = path.join(f.home, '.openclaw-personal');
    fs.mkdirSync(personal);
    fs.writeFileSync(path.join(personal, 'openclaw.json'), '{ gateway: { mode: "local", port: 18795 } }\n');
    const { code, doc } = await diagnose(f);
    expect(doc.openclaw.stateDir).toBe(path.join(f.home, '.openclaw'));
    const sd = doc.findings.find((x) => x.id === 'several-state-dirs')!;
    expect(sd.severity).toBe('warning');
    expect(sd.title).toContain('say which one (--profile personal, --profile work)');
    expect(sd.suggestedFix.command).toBe('clawfix --profile personal diagnose');
    expect(doc.findings.map((x) => x.id)).not.toContain('gateway-not-running');
    expect(code).toBe(1);
  });

  test('a default ~/.openclaw beside an installed work-profile service: a warning naming --profile work', async () => {
    const { f } = await profileOnly('work');
    const def = path.join(f.home, '.openclaw');
    fs.mkdirSync(def);
    fs.writeFileSync(path.join(def, 'openclaw.json'), '{ gateway: { mode: "local" } }\n');
    const svc = unit(f, 'work', '%h/.openclaw-work');
    const { doc } = await diagnose(f);
    expect(doc.openclaw.stateDir).toBe(def);
    const sd = doc.findings.find((x) => x.id === 'several-state-dirs')!;
    expect(sd.severity).toBe('warning');
    expect(sd.title).toContain(`but the gateway uses ${path.join(f.home, '.openclaw-work')}`);
    expect(sd.suggestedFix.command).toBe('clawfix --profile work diagnose');
    expect(JSON.stringify(sd)).toContain(svc);
  });
});

describe('no OpenClaw here', () => {
  test('empty HOME, no openclaw on PATH: "does not seem to be installed", how to point clawfix, no openclaw command', async () => {
    const root = fs.realpathSync(fs.mkdtempSync(path.join(fs.realpathSync('/tmp'), 'clawfix-empty-')));
    roots.push(root);
    const home = path.join(root, 'home');
    fs.mkdirSync(home);
    const env = { ...UNPOINTED, HOME: home, PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin`, CLAWFIX_OPENCLAW_TMP_ROOT: path.join(root, 'tmp'), NO_COLOR: '1' };
    const r = await runCli(['diagnose', '--json'], { env, cwd: root });
    const doc = JSON.parse(r.stdout) as Doc;
    expect(doc.findings.map((x) => x.id)).toEqual(['openclaw-not-found']);
    expect(doc.findings[0]!.title).toBe('OpenClaw does not seem to be installed here');
    expect(doc.findings[0]!.detail).toContain('--state-dir DIR');
    expect(r.code).toBe(1);
    const human = await runCli(['diagnose'], { env, cwd: root });
    expect(human.stdout).toContain('OpenClaw does not seem to be installed here');
    expect(human.stdout).not.toMatch(/\$ openclaw|`openclaw [a-z]/);
    const fix = await runCli(['fix', '--dry-run'], { env, cwd: root });
    expect(fix.stdout + fix.stderr).not.toMatch(/\$ openclaw|`openclaw [a-z]/);
    expect(fs.readdirSync(home)).toEqual([]);
  });

  test('a state dir but no openclaw on PATH: the stopped gateway is started with its service manager, not an openclaw command', async () => {
    const { f } = await profileOnly('work');
    unit(f, 'work', '%h/.openclaw-work');
    const noOpenclaw = { PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin` };
    const r = await runCli(['diagnose', '--json'], { fixture: f, fake: { ...f.fake, binDir: '' }, env: { ...UNPOINTED, ...noOpenclaw } });
    const doc = JSON.parse(r.stdout) as Doc;
    const gnr = doc.findings.find((x) => x.id === 'gateway-not-running')!;
    expect(gnr.suggestedFix.command).toBe('systemctl --user start openclaw-gateway-work.service');
    expect(JSON.stringify(doc.findings)).not.toMatch(/openclaw gateway start/);
  });
});
