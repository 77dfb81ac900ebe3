/**
 * `main(argv, deps)` in-process with fake ports: exit codes, --help/--version, usage errors, the
 * JSON document of a failure, no prompt without a terminal, and a real diagnose of a real state dir
 * (files only, no gateway) with every secret redacted. The process-level suites prove the rest.
 */
import { afterEach, describe, expect, test } from '@jest/globals';
import { main } from '../../src/cli/main.js';
import { assertNoSecrets } from '../helpers/cli.js';
import { makeStateDir, type Fixture } from '../helpers/fixtures.js';
import * as L from '../helpers/logs.js';
import { fakeDeps } from '../helpers/ports.js';

const fixtures: Fixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.cleanup()));
});

async function fixture() {
  const f = await makeStateDir({ devices: [{ scopes: ['operator.read'] }] });
  fixtures.push(f);
  f.appendLog([L.auditScopeUpgrade({ deviceId: f.deviceId, from: ['operator.read'], to: ['operator.read', 'operator.write'], client: 'gateway-client' })]);
  return f;
}

/** clawfix's view of the fixture (its env), with the fake `openclaw` off PATH so no process is spawned. */
const envOf = (f: Fixture) => ({ HOME: f.home, OPENCLAW_STATE_DIR: f.stateDir, OPENCLAW_CONFIG_PATH: f.configPath, PATH: '/nonexistent', CLAWFIX_OPENCLAW_TMP_ROOT: `${f.root}/tmp` });

describe('main()', () => {
  test('--version and --help answer with exit 0; help shows examples and the exit codes', async () => {
    const v = fakeDeps();
    expect(await main(['--version'], v.deps)).toBe(0);
    expect(v.stdout().trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const h = fakeDeps();
    expect(await main(['--help'], h.deps)).toBe(0);
    expect(h.stdout()).toContain('Examples:');
    expect(h.stdout()).toContain('130  interrupted');
  });

  test('an unknown command or option is a usage error: exit 2, one readable line, nothing on stdout', async () => {
    const r = fakeDeps();
    expect(await main(['fix', '--bogus'], r.deps)).toBe(2);
    expect(r.stderr()).toMatch(/^clawfix: unknown option --bogus\n/);
    expect(r.stdout()).toBe('');
  });

  test('no terminal and neither --yes nor --dry-run: exit 2 naming the flags, no question asked', async () => {
    const f = await fixture();
    for (const argv of [['fix'], [], ['rollback']]) {
      const r = fakeDeps({ env: envOf(f) });
      expect(await main(argv, r.deps)).toBe(2);
      expect(r.stderr()).toMatch(/no terminal to ask for consent/);
      expect(r.stderr()).toMatch(/--yes/);
      expect(r.asked).toEqual([]);
    }
  });

  test('diagnose --json of a real state dir: one document, the finding, exit 1, no secret', async () => {
    const f = await fixture();
    const r = fakeDeps({ env: envOf(f) });
    expect(await main(['diagnose', '--json'], r.deps)).toBe(1);
    const doc = JSON.parse(r.stdout()) as { ok: boolean; findings: { id: string; device?: { deviceId: string } }[] };
    expect(doc.ok).toBe(false);
    expect(doc.findings.find((x) => x.id === 'scope-upgrade')?.device?.deviceId).toBe(f.deviceId);
    assertNoSecrets([r.stdout(), r.stderr()], f.secrets);
  });

  test('a failure under --json is one JSON document with the message, the hint and the exit code', async () => {
    const f = await fixture();
    const r = fakeDeps({ env: envOf(f) });
    expect(await main(['rollback', 'no-such-backup', '--yes', '--json'], r.deps)).toBe(2);
    expect(JSON.parse(r.stdout())).toEqual({ ok: false, error: { message: 'no backup with id no-such-backup', hint: 'list them with `clawfix backups`' }, exitCode: 2 });
  });

  test('fix --dry-run plans in-process and changes nothing (the JSON store is only read)', async () => {
    const f = await fixture();
    const before = f.readStore();
    const r = fakeDeps({ env: envOf(f) });
    expect(await main(['fix', '--dry-run', '--json'], r.deps)).toBe(0);
    const doc = JSON.parse(r.stdout()) as { outcome: string; plan: { kind: string; grant: string[]; steps: { name: string }[] } };
    expect(doc.outcome).toBe('planned');
    expect(doc.plan).toMatchObject({ kind: 'json-scope-upgrade', grant: ['operator.write'] });
    expect(f.readStore()).toEqual(before);
    assertNoSecrets([r.stdout(), r.stderr()], f.secrets);
  });
});

describe('the redactor', () => {
  test('masks every exact secret it learned, however many, and token-shaped values it never saw', async () => {
    const { Redactor } = await import('../../src/util/redact.js');
    const secrets = Array.from({ length: 100_000 }, (_, i) => `tok-${String(i).padStart(6, '0')}-xyzzy`);
    const r = new Redactor(secrets);
    expect(r.text(`a ${secrets[0]} b ${secrets[99_999]}c`)).toBe('a ‹redacted› b ‹redacted›c');
    expect(r.text('{"token": "never-seen-before-123"}')).toBe('{"token": "‹redacted›"}');
    expect(r.text('nothing here')).toBe('nothing here');
    expect(r.text(`${secrets[7]}${secrets[8]}`)).toBe('‹redacted›‹redacted›');
  });
  test('a container or service name of short lowercase words stays readable; a random token of the same length does not', async () => {
    const { redactPatterns } = await import('../../src/util/redact.js');
    expect(redactPatterns('container clawfix-e2e-2026-7-35-podman-249bfa')).toBe('container clawfix-e2e-2026-7-35-podman-249bfa');
    expect(redactPatterns('service myproject_openclaw-gateway_1')).toBe('service myproject_openclaw-gateway_1');
    expect(redactPatterns('service cfx249bfa49_openclaw-gateway_1')).toBe('service cfx249bfa49_openclaw-gateway_1');
    expect(redactPatterns('t d_M6Sfhrcp-xY3kQ9vLw2Tn8bR4zJ5')).toBe('t ‹redacted›');
    expect(redactPatterns('t 9f2c4e7a1b3d5f6e8a0c2b4d6f8e1a3c')).toBe('t ‹redacted›');
  });
});
