/**
 * Messy real state (issue 11), the lead's items: a store saved with a byte-order mark, one consistent
 * next step for a corrupt store with the gateway stopped.
 */
import { afterEach, describe, expect, test } from '@jest/globals';
import fs from 'node:fs';
import { runCli, runOpenclaw } from './helpers/cli.js';
import { makeStateDir, type Fixture } from './helpers/fixtures.js';
import * as L from './helpers/logs.js';
import { healthz, waitFor } from './helpers/wait.js';

const fixtures: Fixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.cleanup()));
});
const FAST = { CLAWFIX_START_TIMEOUT_MS: '8000', CLAWFIX_STOP_TIMEOUT_MS: '8000' };

describe('paired.json saved with a UTF-8 byte-order mark', () => {
  async function bom(version: string): Promise<Fixture> {
    const f = await makeStateDir({ version, devices: [{ scopes: ['operator.read', 'operator.write'] }] });
    fixtures.push(f);
    fs.writeFileSync(f.paths.paired, '\uFEFF' + fs.readFileSync(f.paths.paired, 'utf8'));
    f.appendLog([L.line({ subsystem: 'gateway', level: 'ERROR', text: `JsonFileReadError: failed to read ${f.paths.paired}: Unexpected token '\uFEFF', "\uFEFF{" is not valid JSON` })]);
    return f;
  }

  test('diagnose names it with the gateway’s JsonFileReadError line; fix --yes rewrites it without the mark, readable by OpenClaw, gateway restarted', async () => {
    const f = await bom('2026.7.35');
    const d = await runCli(['diagnose', '--json'], { fixture: f });
    const finding = (JSON.parse(d.stdout) as { findings: { id: string; evidence: { text: string }[] }[] }).findings.find((x) => x.id === 'store-bom');
    expect(finding).toBeDefined();
    expect(finding!.evidence.some((e) => e.text.includes('JsonFileReadError'))).toBe(true);

    const dry = await runCli(['fix', '--dry-run'], { fixture: f });
    expect(dry.stdout).toContain('Rewrite the pairing store without its byte-order mark');
    expect(dry.stdout).toContain('‹UTF-8 byte-order mark›');

    expect((await runOpenclaw(['gateway', 'start'], { fixture: f })).code).toBe(0);
    await waitFor(() => healthz(f.port), { timeoutMs: 10_000, what: 'fake gateway up' });
    const before = JSON.parse(fs.readFileSync(f.paths.paired, 'utf8').slice(1));
    const r = await runCli(['fix', '--yes'], { fixture: f, env: FAST });
    expect(`${r.stdout}\n${r.stderr}`).toContain('Repaired: Rewrite the pairing store without its byte-order mark');
    expect(r.code).toBe(0);
    const text = fs.readFileSync(f.paths.paired, 'utf8');
    expect(text.startsWith('\uFEFF')).toBe(false);
    expect(JSON.parse(text)).toEqual(before); // OpenClaw's reader, and nothing else changed
    expect(await healthz(f.port)).toBe(true);
  });

  test('≤ 2026.4.24 wipes an unreadable store: diagnose says so and does not tell the user to start the gateway first', async () => {
    const f = await bom('2026.4.21');
    const r = await runCli(['diagnose'], { fixture: f });
    expect(r.stdout).toContain('treats the file as empty and overwrites it on its next write');
    expect(r.stdout).not.toMatch(/\$ openclaw gateway start/);
    expect(r.stdout).toMatch(/repair the pairing store first .* then start the gateway/);
  });
});

test('a corrupt store on ≤ 2026.4.24 with the gateway stopped: one next step (repair or restore, then start), never "start" first', async () => {
  const f = await makeStateDir({ version: '2026.4.21' });
  fixtures.push(f);
  fs.writeFileSync(f.paths.paired, '{"broken": ');
  const r = await runCli(['diagnose'], { fixture: f });
  expect(r.stdout).toContain('do not start the gateway');
  expect(r.stdout).not.toMatch(/\$ openclaw gateway start/);
  expect(r.stdout).toMatch(/restore it with `clawfix backups` \/ `clawfix rollback`, or fix the JSON by hand\), then start the gateway/);
});
