/**
 * No partial secrets, through the built CLI, in every mode. Secrets that clawfix never read as such
 * (a token typed by hand where a quote was forgotten, so the file does not parse; a new key the
 * config never had) must be masked by key name and by shape, and the planted ones (`sekrit-…`) too;
 * nothing else is masked: device ids, request ids, scope names, paths and times stay readable.
 */
import { afterEach, describe, expect, test } from '@jest/globals';
import fs from 'node:fs';
import path from 'node:path';
import { assertNoSecrets, runCli, runOpenclaw } from './helpers/cli.js';
import { makeStateDir, type Fixture, type FixtureOptions } from './helpers/fixtures.js';
import { healthz, waitFor } from './helpers/wait.js';

const fixtures: Fixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.cleanup()));
});

async function fixture(o: FixtureOptions = {}): Promise<Fixture> {
  const f = await makeStateDir({ devices: [{ scopes: ['operator.read'] }], ...o });
  fixtures.push(f);
  return f;
}

/** Hand-typed tokens of the shapes users have: base64url, `sk-…`, hex. None is a `sekrit-` token. */
const SHAPES = [
  { name: 'base64url', token: 'd_M6SfhrcpQ2xLz81vNw4KbT7mR3' },
  { name: 'sk- key', token: 'sk-proj-Q2xLz81vNw4KbT7mR3d_M6Sfh' },
  { name: 'hex', token: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822c' },
];

const MODES: string[][] = [['diagnose'], ['diagnose', '--json'], ['diagnose', '--verbose'], ['fix', '--dry-run'], ['fix', '--dry-run', '--json']];

describe.each(SHAPES)('a JSON store that does not parse around a $name token', ({ token }) => {
  test('is named with its file, line and column in every mode, and no piece of the token is printed', async () => {
    const f = await fixture();
    const planted = f.deviceTokens[f.deviceId]!;
    const text = fs.readFileSync(f.paths.paired, 'utf8');
    // the token's quotes were lost in a hand edit: V8's own message would quote `"token": <first 10 characters>`
    fs.writeFileSync(f.paths.paired, text.replace(`"token": "${planted}"`, `"token": ${token}`));
    f.secrets.push(token);
    const line = text.slice(0, text.indexOf(`"token": "${planted}"`)).split('\n').length;
    for (const args of MODES) {
      const r = await runCli(args, { fixture: f }); // runCli rejects on any planted secret or piece of one
      expect(r.stdout + r.stderr).toContain(`paired.json is not valid JSON (line ${line}, column `);
      expect(r.code).toBe(1);
    }
  });
});

/** A scripted editor: a node script that rewrites the file named by its last argument. */
function editor(f: Fixture, body: string): string {
  const file = path.join(f.root, `editor-${Math.random().toString(36).slice(2)}.mjs`);
  fs.writeFileSync(file, `import fs from 'node:fs';\nconst file = process.argv[process.argv.length - 1];\nlet text = fs.readFileSync(file, 'utf8');\n${body}\nfs.writeFileSync(file, text);\n`);
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return `${q(process.execPath)} ${q(file)}`;
}

async function running(f: Fixture): Promise<void> {
  expect((await runOpenclaw(['gateway', 'start'], { fixture: f })).code).toBe(0);
  await waitFor(() => healthz(f.port), { timeoutMs: 10_000, what: 'fake gateway up' });
}

const FAST = { CLAWFIX_START_TIMEOUT_MS: '8000', CLAWFIX_STOP_TIMEOUT_MS: '8000' };

describe('edit-config with a new token typed by hand', () => {
  const broken = [
    { name: 'without quotes', write: (t: string) => `token: ${t}` },
    { name: 'with its closing quote missing', write: (t: string) => `token: '${t}` },
  ];
  test.each(broken.flatMap((b) => SHAPES.map((s) => ({ ...b, ...s }))))('$name ($token): the hazard line and the diff mask it, human and --json', async ({ write, token }) => {
    const f = await fixture();
    await running(f);
    f.secrets.push(token);
    const ed = editor(f, `text = text.replace(/"token": "[^"]*"/, ${JSON.stringify(write(token))});`);
    for (const extra of [[], ['--json'], ['--dry-run'], ['--dry-run', '--json']]) {
      const r = await runCli(['edit-config', '--editor', ed, ...extra], { fixture: f, env: FAST });
      expect(r.code).toBe(1);
      expect(r.stdout + r.stderr).toContain('not valid JSON5');
      expect(r.stdout + r.stderr).not.toContain("invalid character '"); // JSON5 quotes the character it stopped at
      assertNoSecrets([r.stdout, r.stderr], f.secrets);
    }
  });

  test('a new secret under a key clawfix never heard of, and a token inside a URL: masked by name and by shape in the diff; ids, paths and scopes stay readable', async () => {
    const f = await fixture();
    await running(f);
    const botToken = 'xoxb-2614810842-AbCdEf123456GhIjKl789';
    const inUrl = '9fK2mQ7xLp3RtZ8vWn4YbC6dHs1JgE5u';
    f.secrets.push(botToken, inUrl);
    const ed = editor(
      f,
      `const v = JSON.parse(text); v.channels = { slack: { botToken: ${JSON.stringify(botToken)} }, relay: { url: ${JSON.stringify(`wss://relay.example.com/hook?k=${inUrl}`)} } }; text = JSON.stringify(v, null, 2) + '\\n';`,
    );
    for (const extra of [['--dry-run'], ['--dry-run', '--json']]) {
      const r = await runCli(['edit-config', '--editor', ed, ...extra], { fixture: f, env: FAST });
      expect(r.code).toBe(0);
      assertNoSecrets([r.stdout, r.stderr], f.secrets);
      expect(r.stdout).toContain('wss://relay.example.com/hook?k=');
      expect(r.stdout).toContain(f.configPath);
    }
  });
});

describe('what is not a secret stays readable', () => {
  test('the device id in the fix command, request ids, scope names, ISO times and the backup id', async () => {
    const f = await fixture({ pending: [{ scopes: ['operator.read', 'operator.write'] }] });
    await running(f);
    const d = await runCli(['diagnose'], { fixture: f });
    expect(d.stdout).toContain(`clawfix fix --device ${f.deviceId}`);
    expect(d.stdout).toContain(f.requestIds[0]!);
    expect(d.stdout).toContain('operator.write');
    expect(d.stdout).toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/);
    const r = await runCli(['fix', '--yes'], { fixture: f, env: FAST });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/clawfix rollback \d{8}-\d{6}-[0-9a-f]{4}/);
  });
});
