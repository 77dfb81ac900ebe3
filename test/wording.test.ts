/**
 * Smaller wording, through the built CLI: a guide-shaped `{"devices":[…]}` store whose pending request
 * is a repair is not also called first-time pairing; a new device identity on this machine (identity
 * regenerated) and the gateway's "device identity changed" are named as such, with OpenClaw's remedy;
 * refusals are counted once per connection, not per log line; a gateway that will not stop gets a next
 * step naming who holds the port and how to stop it.
 */
import { afterAll, afterEach, describe, expect, test } from '@jest/globals';
import fs from 'node:fs';
import { runCli } from './helpers/cli.js';
import { makeStateDir, type Fixture, type FixtureOptions } from './helpers/fixtures.js';
import * as L from './helpers/logs.js';
import { broken, cleanupAll, clawfix, txTest } from './helpers/repair.js';
import { healthz, waitFor } from './helpers/wait.js';

const READ = 'operator.read';
const WRITE = 'operator.write';

const fixtures: Fixture[] = [];
async function fixture(o: FixtureOptions): Promise<Fixture> {
  const f = await makeStateDir(o);
  fixtures.push(f);
  return f;
}
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.cleanup()));
});
afterAll(cleanupAll);

interface Finding {
  id: string;
  title: string;
  detail: string;
  requestId?: string;
  evidence: { text: string }[];
  suggestedFix: { kind: string; command?: string; description: string };
}

async function findings(f: Fixture): Promise<Finding[]> {
  const r = await runCli(['diagnose', '--json'], { fixture: f });
  return (JSON.parse(r.stdout) as { findings: Finding[] }).findings;
}

describe('store shape and identity', () => {
  test('the guide\'s {"devices":[{"id":…}]} store with a repair request (isRepair: true): the shape is named, not a first-time pairing', async () => {
    const f = await fixture({ shape: 'devices-wrapper', devices: [{ scopes: [READ] }], pending: [{ scopes: [READ, WRITE] }] });
    const wrapped = JSON.parse(fs.readFileSync(f.paths.paired, 'utf8')) as { devices: Record<string, unknown>[] };
    fs.writeFileSync(f.paths.paired, JSON.stringify({ devices: wrapped.devices.map(({ deviceId, ...rest }) => ({ id: deviceId, ...rest })) }, null, 2), { mode: 0o600 });
    const ids = (await findings(f)).map((x) => x.id);
    expect(ids).toContain('store-unreadable');
    expect(ids).not.toContain('first-time-pairing');
  });

  test('a new device identity on this machine (the old one still paired for the same client) is named as such, with "approve the new request"', async () => {
    const f = await fixture({
      devices: [{ local: false, clientId: 'cli', clientMode: 'cli', displayName: 'OpenClaw CLI', scopes: [READ, WRITE] }],
      pending: [{ scopes: [READ, WRITE], clientId: 'cli', clientMode: 'cli' }],
    });
    const all = await findings(f);
    expect(all.map((x) => x.id)).not.toContain('first-time-pairing');
    const ic = all.find((x) => x.id === 'identity-changed')!;
    expect(ic.title).toMatch(/^This machine has a new device identity \(.+\): the approvals of its old one \(.+\) no longer apply$/);
    expect(ic.detail).toContain(`The local identity in ${f.paths.identity} is ${f.deviceId}, which the gateway never approved`);
    expect(ic.detail).toContain('every approval of the old identity is lost');
    expect(ic.suggestedFix.command).toBe(`openclaw devices approve ${f.requestIds[0]}`);
    expect(JSON.stringify(ic)).toContain('Do not regenerate, delete or copy files under identity/');
    // no suggested fix regenerates, deletes or copies anything
    for (const x of all) expect(`${x.suggestedFix.description} ${x.suggestedFix.command ?? ''}`).not.toMatch(/\brm\b|regenerat|delete|device\.json|\bcp\b/i);
  });

  test('the gateway\'s "device identity changed and must be re-approved" (metadata-upgrade) is named, with the exact approve', async () => {
    const f = await fixture({ devices: [{ scopes: [READ] }] });
    f.appendLog([L.closedBeforeConnect({ deviceId: f.deviceId, requestId: 'req-meta-1', reason: 'metadata-upgrade', time: Date.now() - 20_000 })]);
    const ic = (await findings(f)).find((x) => x.id === 'identity-changed')!;
    expect(ic.title).toContain("identity changed and the gateway wants it re-approved");
    expect(ic.evidence[0]!.text).toContain('device identity changed and must be re-approved');
    expect(ic.suggestedFix.command).toBe('openclaw devices approve req-meta-1');
  });
});

describe('counts', () => {
  test('device-token refusals are counted once per connection (each is logged as `unauthorized` and as `closed before connect`)', async () => {
    const f = await fixture({ devices: [{ scopes: [READ] }] });
    const lines: string[] = [];
    for (let i = 0; i < 3; i++) {
      const conn = `8ccd6416-5aab-4128-8719-26${String(i).padStart(10, '0')}`;
      const time = Date.now() - (10 - i) * 1000;
      lines.push(L.deviceTokenMismatch({ conn, time }));
      lines.push(
        L.line({
          subsystem: 'gateway/ws',
          level: 'WARN',
          meta: { cause: 'unauthorized', handshake: 'failed', authMode: 'token', authProvided: 'token', authReason: 'device_token_mismatch', client: 'gateway-client', mode: 'backend', version: 'dev' },
          text: `closed before connect conn=${conn} remote=127.0.0.1 fwd=n/a origin=n/a host=127.0.0.1:${f.port} ua=n/a code=1008 reason=unauthorized: device token mismatch (rotate/reissue device token)`,
          time: time + 5,
        }),
      );
    }
    f.appendLog(lines);
    const ti = (await findings(f)).find((x) => x.id === 'token-invalidated')!;
    expect(ti.detail).toContain('refused a device token on 3 connection(s)');
    expect(ti.evidence[0]!.text).toMatch(/^3 connections refused with a device-token mismatch since /);
  });
});

describe('a gateway that will not stop', () => {
  txTest('fix names the pid holding the port and how to stop it (and still rolls back)', async (make) => {
    const f = await broken(make);
    const pid = f.fake.gatewayPid()!;
    // The gateway takes 12 s to go after SIGTERM; `openclaw gateway stop` (waiting for it) is given 8 s.
    f.fake.writeCtl({ stopDelayMs: 12_000 });
    const r = await clawfix(f, ['fix', '--yes'], { CLAWFIX_STOP_TIMEOUT_MS: '800', CLAWFIX_START_TIMEOUT_MS: '8000' }, 80_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/✖ repair failed: /);
    expect(r.stderr).toContain(`  → pid ${pid} (node gateway.mjs) holds 127.0.0.1:${f.port}: stop it where it runs`);
    expect(r.stderr).toContain(`\`kill ${pid}\` (\`kill -9 ${pid}\` if it ignores that), then run clawfix again`);
    expect(r.stderr).toContain('systemctl --user stop openclaw-gateway.service');
    await waitFor(() => healthz(f.port), { timeoutMs: 20_000, what: 'the gateway running again after the rollback' });
  }, { timeoutMs: 120_000 });
});
