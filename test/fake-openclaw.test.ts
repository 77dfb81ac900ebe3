/**
 * The fake `openclaw` and its gateway are real processes the other suites drive through clawfix:
 * prove they behave like the notes say before trusting them.
 */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from '@jest/globals';
import { assertNoSecrets, diffTrees, hashTree, runOpenclaw } from './helpers/cli.js';
import { makeStateDir, type Fixture, type FixtureOptions } from './helpers/fixtures.js';
import { auditScopeUpgrade, closedBeforeConnect, deviceTokenMismatch, hotReload } from './helpers/logs.js';
import { agentCall, healthz, logTexts, readLines, waitFor } from './helpers/wait.js';

const fixtures: Fixture[] = [];
async function fixture(opts: FixtureOptions = {}): Promise<Fixture> {
  const f = await makeStateDir(opts);
  fixtures.push(f);
  return f;
}

afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.cleanup()));
});

const oc = (f: Fixture, ...args: string[]) => runOpenclaw(args, { fixture: f, timeoutMs: 15_000 });

async function startAndWait(f: Fixture): Promise<void> {
  const r = await oc(f, 'gateway', 'start');
  expect(r.code).toBe(0);
  await waitFor(() => healthz(f.port), { what: 'healthz' });
}

describe('fake openclaw CLI', () => {
  it('prints its version from ctl.json', async () => {
    const f = await fixture({ version: '2026.9.6' });
    const r = await oc(f, '--version');
    expect(r).toMatchObject({ code: 0, stdout: 'OpenClaw 2026.9.6 (fake000)\n' });
    expect(JSON.parse(fs.readFileSync(`${f.fake.binDir}/package.json`, 'utf8'))).toMatchObject({ version: '2026.9.6' });
  });

  it('starts, reports busy, stops, reports free', async () => {
    const f = await fixture();
    const before = await oc(f, 'gateway', 'status', '--json');
    expect(before.code).toBe(0);
    expect(JSON.parse(before.stdout)).toMatchObject({ port: { port: f.port, status: 'free' }, rpc: { ok: false } });

    await startAndWait(f);
    expect(f.fake.isGatewayRunning()).toBe(true);
    const during = JSON.parse((await oc(f, 'gateway', 'status', '--json')).stdout);
    expect(during).toMatchObject({ port: { status: 'busy' }, rpc: { ok: true } });
    expect(logTexts(f.logFile)).toContain(`listening on ws://127.0.0.1:${f.port} (PID ${f.fake.gatewayPid()})`);

    const pid = f.fake.gatewayPid();
    const stop = await oc(f, 'gateway', 'stop');
    expect(stop).toMatchObject({ code: 0, stdout: 'Stopped gateway\n' });
    expect(f.fake.isGatewayRunning()).toBe(false);
    expect(f.fake.gatewayPid()).toBeUndefined();
    expect(pid).toBeDefined();
    expect(await healthz(f.port)).toBe(false);
    expect(JSON.parse((await oc(f, 'gateway', 'status', '--json')).stdout).port.status).toBe('free');
    expect(logTexts(f.logFile)).toContain('signal SIGTERM received');

    const again = await oc(f, 'gateway', 'stop');
    expect(again).toMatchObject({ code: 0, stdout: 'Gateway service not loaded.\n' });
  });

  it('restart gives a new gateway process; devices list fails while it is down', async () => {
    const f = await fixture();
    const down = await oc(f, 'devices', 'list', '--json');
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('gateway closed (1006 abnormal closure (no close frame))');

    await startAndWait(f);
    const first = f.fake.gatewayPid();
    expect((await oc(f, 'gateway', 'restart')).code).toBe(0);
    await waitFor(() => healthz(f.port), { what: 'healthz after restart' });
    expect(f.fake.gatewayPid()).not.toBe(first);

    const list = await oc(f, 'devices', 'list', '--json');
    expect(list.code).toBe(0);
    const parsed = JSON.parse(list.stdout) as { paired: { deviceId: string; tokens: unknown[] }[] };
    expect(parsed.paired).toHaveLength(1);
    expect(parsed.paired[0]!.tokens).toEqual([expect.objectContaining({ role: 'operator', scopes: ['operator.read'] })]);
    assertNoSecrets([list.stdout, list.stderr], f.secrets);
  });

  it('crashOnStart: start exits 0 but the gateway dies and never listens', async () => {
    const f = await fixture({ ctl: { crashOnStart: true } });
    expect((await oc(f, 'gateway', 'start')).code).toBe(0);
    await waitFor(() => !f.fake.isGatewayRunning(), { what: 'gateway exit' });
    expect(await healthz(f.port)).toBe(false);
    expect(readLines(f.logFile).some((l) => l.includes('"logLevelName":"ERROR"'))).toBe(true);
  });

  it('injected failures: once is consumed, always repeats; calls.log keeps the order', async () => {
    const f = await fixture();
    f.fake.writeCtl({
      fail: {
        'gateway stop': { mode: 'once', exitCode: 3, stderr: 'boom once' },
        'devices approve': { mode: 'always', exitCode: 1, stderr: "This device can't approve its own scope upgrade." },
      },
    });
    expect(await oc(f, 'gateway', 'stop', '--force')).toMatchObject({ code: 3, stderr: 'boom once\n' });
    expect((await oc(f, 'gateway', 'stop', '--force')).code).toBe(0);
    for (let i = 0; i < 2; i++) {
      const r = await oc(f, 'devices', 'approve', 'abc');
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("can't approve");
    }
    expect(await oc(f, 'devices', 'frobnicate')).toMatchObject({ code: 2, stderr: 'unknown command\n' });
    expect(f.fake.calls()).toEqual([
      'gateway stop --force',
      'gateway stop --force',
      'devices approve abc',
      'devices approve abc',
      'devices frobnicate',
    ]);
    expect(f.fake.callLines().filter((l) => / FAILED /.test(l)).map((l) => l.replace(/^\S+ \d+ /, ''))).toEqual([
      'FAILED gateway stop',
      'FAILED devices approve',
      'FAILED devices approve',
    ]);
  });
});

describe.each(['json', 'sqlite'] as const)('fake gateway sub-agent, %s store', (store) => {
  it('refuses a scope upgrade with the audit line and a pending request; approve widens the record', async () => {
    const f = await fixture({ store, ctl: { subagentScopes: ['operator.write'] } });
    await startAndWait(f);

    const audit = await waitFor(
      () => logTexts(f.logFile).find((t) => t.startsWith('security audit: device access upgrade requested')),
      { what: 'audit line' },
    );
    expect(audit).toMatch(
      new RegExp(
        `reason=scope-upgrade device=${f.deviceId} ip=unknown-ip auth=token roleFrom=operator roleTo=operator ` +
          `scopesFrom=operator.read scopesTo=operator.read,operator.write client=gateway-client conn=[0-9a-f-]{36}$`,
      ),
    );
    const closed = await waitFor(
      () =>
        readLines(f.logFile)
          .map((l) => JSON.parse(l) as Record<string, unknown>)
          .find((o) => typeof o['2'] === 'string' && o['2'].startsWith('closed before connect')),
      { what: 'closed before connect' },
    );
    const meta = closed['1'] as { requestId: string; deviceId: string; reason: string; cause: string };
    expect(meta).toMatchObject({ cause: 'pairing-required', deviceId: f.deviceId, reason: 'scope-upgrade' });
    expect(closed['2']).toContain(
      `code=1008 reason=pairing required: device is asking for more scopes than currently approved (requestId: ${meta.requestId})`,
    );

    const pending = await waitFor(() => f.readStore().pending[meta.requestId], { what: 'pending row' });
    expect(pending).toMatchObject({ deviceId: f.deviceId, scopes: ['operator.write'], isRepair: true, silent: false });

    const list = JSON.parse((await oc(f, 'devices', 'list', '--json')).stdout) as { pending: { requestId: string }[] };
    expect(list.pending.map((p) => p.requestId)).toEqual([meta.requestId]);

    const unknown = await oc(f, 'devices', 'approve', 'nope');
    expect(unknown).toMatchObject({ code: 1, stderr: 'No pending device request matches nope\n' });
    expect((await oc(f, 'devices', 'approve')).code).toBe(1);
    expect((await oc(f, 'devices', 'approve', '--latest')).code).toBe(1);
    expect(f.readStore().pending[meta.requestId]).toBeDefined();

    const oldToken = f.readStore().paired[f.deviceId]!.tokens!.operator!.token;
    const ok = await oc(f, 'devices', 'approve', meta.requestId);
    expect(ok.code).toBe(0);
    assertNoSecrets([ok.stdout, ok.stderr], f.secrets);
    const after = f.readStore();
    expect(after.pending).toEqual({});
    const dev = after.paired[f.deviceId]!;
    expect(dev.approvedScopes).toEqual(['operator.read', 'operator.write']);
    expect(dev.scopes).toEqual(['operator.read', 'operator.write']);
    expect(dev.tokens!.operator!.scopes).toEqual(['operator.read', 'operator.write']);
    expect(dev.tokens!.operator!.token).not.toBe(oldToken);
    expect(dev.tokens!.operator!.rotatedAtMs).toEqual(expect.any(Number));
    expect(logTexts(f.logFile)).toContain(`device pairing approved device=${f.deviceId} role=operator`);
    if (store === 'json') expect(fs.statSync(f.paths.paired).mode & 0o777).toBe(0o600);

    // After a restart the sub-agent's connect is accepted.
    expect((await oc(f, 'gateway', 'restart')).code).toBe(0);
    await waitFor(() => logTexts(f.logFile).includes(`agent call ok device=${f.deviceId} client=gateway-client`), {
      what: 'agent call ok',
    });
  });
});

describe('fake gateway extras', () => {
  it('accepted connects touch lastSeenAtMs; /__fake/agent-call repeats the connect; startDelayMs delays listening', async () => {
    const f = await fixture({
      devices: [{ scopes: ['operator.write'] }],
      ctl: { subagentScopes: ['operator.read'], touchOnConnect: true, startDelayMs: 300 },
    });
    expect((await oc(f, 'gateway', 'start')).code).toBe(0);
    expect(f.fake.isGatewayRunning()).toBe(true);
    expect(await healthz(f.port)).toBe(false); // not ready yet: clawfix must poll
    await waitFor(() => healthz(f.port), { what: 'healthz' });
    await waitFor(() => f.readStore().paired[f.deviceId]!.lastSeenAtMs, { what: 'lastSeenAtMs' });
    expect(await agentCall(f.port, ['operator.admin'])).toMatchObject({ ok: false, reason: 'scope-upgrade' });
    expect(Object.values(f.readStore().pending).map((p) => p.scopes)).toEqual([['operator.admin']]);
    // a retry supersedes the device's older request
    const again = await agentCall(f.port, ['operator.admin']);
    expect(Object.keys(f.readStore().pending)).toEqual([again.requestId]);
  });

  it('stopDelayMs makes stop wait for the process to go', async () => {
    const f = await fixture({ ctl: { stopDelayMs: 400 } });
    await startAndWait(f);
    const r = await oc(f, 'gateway', 'stop');
    expect(r.code).toBe(0);
    expect(r.durationMs).toBeGreaterThanOrEqual(400);
    expect(f.fake.isGatewayRunning()).toBe(false);
  });
});

describe('helpers', () => {
  it('hashTree sees no change from read-only commands and sees a file write', async () => {
    const f = await fixture();
    const before = await hashTree(f.stateDir);
    await oc(f, 'gateway', 'status', '--json');
    expect(diffTrees(before, await hashTree(f.stateDir))).toEqual([]);
    fs.writeFileSync(f.paths.pending, '{"x": 1}');
    expect(diffTrees(before, await hashTree(f.stateDir))).toEqual([expect.stringMatching(/^changed devices\/pending\.json/)]);
  });

  it('assertNoSecrets names the leak, including partial and minted tokens', async () => {
    const f = await fixture({ store: 'sqlite' });
    expect(f.secrets.length).toBeGreaterThanOrEqual(3);
    expect(() => assertNoSecrets(['all clean', 'tokenHash=ab12cd34ef56'], f.secrets)).not.toThrow();
    expect(() => assertNoSecrets(['x', `token ${f.gatewayToken}`], f.secrets)).toThrow(/leaked in text #1/);
    expect(() => assertNoSecrets([`…${f.gatewayToken.slice(9, 21)}…`], f.secrets)).toThrow(/part of secret/);
    expect(() => assertNoSecrets(['minted sekrit-AAAAAAAAAAAAAAAAAAAAAA'], [])).toThrow(/planted token/);
  });

  it('log builders produce both formats', () => {
    const t = '2026-11-24T14:30:42.552Z';
    const deviceId = 'a'.repeat(64);
    expect(auditScopeUpgrade({ deviceId, from: ['operator.read'], to: ['operator.write'], time: t, format: 'console', conn: 'c1' })).toBe(
      `${t} [gateway] security audit: device access upgrade requested reason=scope-upgrade device=${deviceId} ip=unknown-ip auth=token roleFrom=operator roleTo=operator scopesFrom=operator.read scopesTo=operator.write client=gateway-client conn=c1`,
    );
    const json = JSON.parse(closedBeforeConnect({ deviceId, requestId: 'r-1', time: t })) as Record<string, unknown>;
    expect(json).toMatchObject({ 0: '{"subsystem":"gateway/ws"}', 1: { requestId: 'r-1', deviceId }, time: t });
    expect(deviceTokenMismatch({ conn: 'c2', time: t, format: 'console' })).toBe(
      `${t} [ws] unauthorized conn=c2 remote=127.0.0.1 client=gateway-client backend vdev reason=device_token_mismatch`,
    );
    expect(hotReload({ time: t, format: 'console' })).toBe(`${t} [reload] config hot reload applied (gateway.auth.token)`);
  });
});
