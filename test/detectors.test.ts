/**
 * Every detector through the built CLI (`clawfix diagnose --json`): it fires on a fixture that shows
 * its cause and stays silent on a healthy one, on the JSON store (2026.7.35) and the SQLite store
 * (2026.9.6), with file (JSON-lines) and console logs. Each run also proves: the exit code follows the
 * findings (0 none / info only, 1 problems), the state dir is byte-identical afterwards, and no
 * planted secret appears in stdout or stderr. Plus: how the OpenClaw version is found, and the
 * --state-dir / --profile / --config / --log-file flags.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, test } from '@jest/globals';
import { assertNoSecrets, diffTrees, hashTree, runCli, runOpenclaw, type RunResult } from './helpers/cli.js';
import { installFakeOpenclaw, type Fake } from './helpers/fake.js';
import { makeStateDir, secret, type Fixture, type FixtureOptions } from './helpers/fixtures.js';
import * as L from './helpers/logs.js';
import { healthz, waitFor } from './helpers/wait.js';

const READ = 'operator.read';
const WRITE = 'operator.write';
const ADMIN = 'operator.admin';
const MIN = 60_000;

// ---------------------------------------------------------------------------------------------------
// Harness

const fixtures: Fixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.cleanup()));
});

interface FindingJson {
  id: string;
  severity: 'error' | 'warning' | 'info';
  title: string;
  detail: string;
  device?: { deviceId: string; displayName?: string };
  requestId?: string;
  requestedScopes?: string[];
  approvedScopes?: string[];
  missingScopes?: string[];
  evidence: { kind: string; text: string; source?: string }[];
  suggestedFix: { kind: string; description: string; command?: string };
}

interface DiagJson {
  ok: boolean;
  openclaw: {
    version: string | null;
    executable: string | null;
    stateDir: string;
    configPath: string;
    logFiles: string[];
    store: { kind: string; era: string; ok: boolean; error?: string };
    gateway: { running: boolean | null; port: number };
  };
  findings: FindingJson[];
}

interface Diag extends RunResult {
  json: DiagJson;
  ids: string[];
  of(id: string): FindingJson[];
  one(id: string): FindingJson;
}

interface DiagOptions {
  args?: string[];
  env?: Record<string, string>;
  fake?: Fake;
  /** The state dir to prove untouched (default: the fixture's). */
  tree?: string;
}

/**
 * `clawfix diagnose --json` on a fixture. Checks on every run: valid JSON, no secret in any output,
 * the state dir byte-identical, no crashed detector, and the exit code / `ok` consistent with the
 * severities (info findings are not problems).
 */
async function diagnose(f: Fixture, o: DiagOptions = {}): Promise<Diag> {
  const tree = o.tree ?? f.stateDir;
  const before = await hashTree(tree);
  const r = await runCli(['diagnose', '--json', ...(o.args ?? [])], {
    fixture: f,
    ...(o.env ? { env: o.env } : {}),
    ...(o.fake ? { fake: o.fake } : {}),
  });
  assertNoSecrets([r.stdout, r.stderr], f.secrets);
  let json: DiagJson;
  try {
    json = JSON.parse(r.stdout) as DiagJson;
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  expect(diffTrees(before, await hashTree(tree))).toEqual([]);
  const ids = json.findings.map((x) => x.id);
  expect(ids).not.toContain('detector-failed');
  const problems = json.findings.filter((x) => x.severity !== 'info');
  expect({ code: r.code, ok: json.ok }).toEqual({ code: problems.length ? 1 : 0, ok: problems.length === 0 });
  const of = (id: string) => json.findings.filter((x) => x.id === id);
  return {
    ...r,
    json,
    ids,
    of,
    one(id) {
      const hits = of(id);
      if (hits.length !== 1) throw new Error(`expected one ${id} finding, got ${hits.length}: ${JSON.stringify(json.findings, null, 2)}`);
      return hits[0]!;
    },
  };
}

/** Start the fake gateway on the fixture's port and wait until /healthz answers (cleanup kills it). */
async function startGateway(f: Fixture): Promise<void> {
  const r = await runOpenclaw(['gateway', 'start'], { fixture: f });
  expect(r.code).toBe(0);
  await waitFor(() => healthz(f.port), { timeoutMs: 10_000, what: 'fake gateway /healthz' });
}

const hex64 = () => crypto.randomBytes(32).toString('hex');
const ago = (ms: number) => Date.now() - ms;

/** Server side of a wrong shared gateway token (not a device token): `unauthorized: gateway token mismatch`. */
function gatewayTokenMismatch(o: { port: number; time: number; format: L.LogFormat }): string {
  const conn = crypto.randomUUID();
  return L.line({
    subsystem: 'gateway/ws',
    level: 'WARN',
    meta: { cause: 'unauthorized', handshake: 'failed', authMode: 'token', authProvided: 'token', authReason: 'token_mismatch', client: 'cli', mode: 'cli' },
    text:
      `closed before connect conn=${conn} remote=127.0.0.1 fwd=n/a origin=n/a host=127.0.0.1:${o.port} ua=n/a code=1008 ` +
      'reason=unauthorized: gateway token mismatch (set gateway.remote.token to match gateway.auth.token)',
    time: o.time,
    format: o.format,
  });
}

/** The client-side wrapper's target line (#12210, Docker `bind: lan`). */
function gatewayTarget(url: string, o: { time: number; format: L.LogFormat }): string {
  return L.line({ subsystem: 'gateway', level: 'ERROR', text: `Gateway target: ${url}`, time: o.time, format: o.format });
}

const STORES = [
  { name: 'JSON store (2026.7.35)', version: '2026.7.35', kind: 'json' as const },
  { name: 'SQLite store (2026.9.6)', version: '2026.9.6', kind: 'sqlite' as const },
];
const FORMATS = ['json', 'console'] as const;

// ---------------------------------------------------------------------------------------------------

describe.each(STORES)('$name', ({ version, kind }) => {
  async function fx(o: FixtureOptions = {}): Promise<Fixture> {
    const f = await makeStateDir({ version, ...o });
    fixtures.push(f);
    expect(f.store).toBe(kind);
    return f;
  }

  describe.each(FORMATS)('%s log lines', (format) => {
    test('healthy store and a log full of near misses, gateway running: no findings, exit 0', async () => {
      const f = await fx({ devices: [{ scopes: [READ, WRITE] }] });
      const unknown = hex64();
      f.appendLog([
        L.listening({ port: f.port, time: ago(120 * MIN), format }),
        // everything up to the last start is history
        L.deviceTokenMismatch({ time: ago(100 * MIN), format }),
        L.scopeMismatch({ time: ago(99 * MIN), format }),
        gatewayTokenMismatch({ port: f.port, time: ago(98 * MIN), format }),
        L.notPaired({ deviceId: unknown, requestId: crypto.randomUUID(), port: f.port, time: ago(97 * MIN), format }),
        L.listening({ port: f.port, time: ago(60 * MIN), format }),
        // a scope upgrade that was approved, and one already covered by the store
        L.auditScopeUpgrade({ deviceId: f.deviceId, from: [READ], to: [READ, WRITE], time: ago(50 * MIN), format }),
        L.pairingApproved({ deviceId: f.deviceId, time: ago(49 * MIN), format }),
        L.autoApproved({ deviceId: f.deviceId, time: ago(48 * MIN), format }),
        gatewayTarget(`ws://127.0.0.1:${f.port}`, { time: ago(40 * MIN), format }),
        L.hotReload({ keys: ['gateway.nodes.pairing.autoApproveLocal'], time: ago(30 * MIN), format }),
      ]);
      await startGateway(f);
      const r = await diagnose(f);
      expect(r.json.findings).toEqual([]);
      expect(r.code).toBe(0);
      expect(r.json.openclaw.gateway.running).toBe(true);
      expect(r.json.openclaw.store).toMatchObject({ kind, ok: true });
      expect(r.json.openclaw.version).toBe(version);
    });

    test('scope-upgrade: the local device, from an audit line not followed by an approval', async () => {
      const f = await fx({ devices: [{ scopes: [READ] }] });
      f.appendLog([
        L.listening({ port: f.port, time: ago(30 * MIN), format }),
        L.auditScopeUpgrade({ deviceId: f.deviceId, from: [READ], to: [READ, WRITE], time: ago(MIN), format }),
      ]);
      const r = await diagnose(f);
      const su = r.one('scope-upgrade');
      expect(su.severity).toBe('error');
      expect(su.device?.deviceId).toBe(f.deviceId);
      expect(su.missingScopes).toEqual([WRITE]);
      expect(su.approvedScopes).toEqual([READ]);
      expect(su.requestedScopes).toEqual([READ, WRITE]);
      expect(su.suggestedFix).toMatchObject({ kind: 'clawfix', command: `clawfix fix --device ${f.deviceId}` });
      expect(su.evidence.some((e) => e.kind === 'log' && e.text.includes('reason=scope-upgrade'))).toBe(true);
      expect(r.code).toBe(1);
    });

    test('scope-upgrade: several devices each get their own finding; covered requests and unknown devices do not', async () => {
      const laptop = hex64();
      const ci = hex64();
      const stranger = hex64();
      const f = await fx({
        devices: [{ scopes: [READ] }, { deviceId: laptop, displayName: 'laptop', scopes: [READ] }, { deviceId: ci, displayName: 'ci', scopes: [READ, WRITE] }],
      });
      f.appendLog([
        L.listening({ port: f.port, time: ago(30 * MIN), format }),
        L.auditScopeUpgrade({ deviceId: f.deviceId, from: [READ], to: [WRITE], time: ago(4 * MIN), format }),
        L.auditScopeUpgrade({ deviceId: laptop, from: [READ], to: [ADMIN, READ, WRITE], client: 'cli', time: ago(3 * MIN), format }),
        L.auditScopeUpgrade({ deviceId: ci, from: [READ], to: [WRITE], time: ago(2 * MIN), format }),
        L.auditScopeUpgrade({ deviceId: stranger, from: [READ], to: [WRITE], time: ago(MIN), format }),
      ]);
      const r = await diagnose(f);
      const byDevice = Object.fromEntries(r.of('scope-upgrade').map((x) => [x.device!.deviceId, x]));
      expect(Object.keys(byDevice).sort()).toEqual([f.deviceId, laptop].sort());
      expect(byDevice[f.deviceId]).toMatchObject({ severity: 'error', missingScopes: [WRITE], approvedScopes: [READ] });
      expect(byDevice[laptop]).toMatchObject({ severity: 'error', missingScopes: [ADMIN], approvedScopes: [READ], device: { displayName: 'laptop' } });
      // issue 11 (one story): the headline command is the plan that runs without consent (write); admin is the second step
      expect(byDevice[laptop]!.suggestedFix.command).toBe(`clawfix fix --device ${laptop}`);
      expect(byDevice[laptop]!.suggestedFix.description).toMatch(/operator\.admin, also requested, is a second, consent-gated step \(--allow-admin/);
      // an audit for a device the store does not know is not a scope upgrade (nor, without a refusal, first-time pairing)
      expect(r.stdout).not.toContain(stranger);
      expect(r.ids).not.toContain('first-time-pairing');
    });

    test('token-invalidated: device_token_mismatch after the last "listening on"; no cause claimed without evidence', async () => {
      const f = await fx();
      f.appendLog([
        L.listening({ port: f.port, time: ago(30 * MIN), format }),
        L.deviceTokenMismatch({ time: ago(10 * MIN), format }),
        L.deviceTokenMismatch({ time: ago(5 * MIN), format }),
      ]);
      const r = await diagnose(f);
      const ti = r.one('token-invalidated');
      expect(ti.severity).toBe('error');
      expect(ti.detail).toMatch(/refused a device token on 2 connection\(s\)/);
      expect(ti.detail).toContain('The logs do not show why the token changed');
      expect(ti.detail).not.toMatch(/config was (changed|edited)/);
      expect(ti.evidence.some((e) => e.text.includes('reason=device_token_mismatch'))).toBe(true);
      expect(ti.device?.deviceId).toBe(f.deviceId);
      expect(ti.suggestedFix.description).toContain(`openclaw devices rotate --device ${f.deviceId} --role operator`);
      expect(r.ids).not.toContain('gateway-token-mismatch');
    });

    test('token-invalidated: a hot reload shortly before the first refusal is named as the cause', async () => {
      const f = await fx();
      f.appendLog([
        L.listening({ port: f.port, time: ago(30 * MIN), format }),
        L.configChangeDetected({ keys: ['gateway.auth.token'], time: ago(13 * MIN), format }),
        L.hotReload({ keys: ['gateway.auth.token'], time: ago(12 * MIN), format }),
        L.deviceTokenMismatch({ time: ago(10 * MIN), format }),
      ]);
      const r = await diagnose(f);
      const ti = r.one('token-invalidated');
      expect(ti.detail).toMatch(/config was changed while the gateway ran/);
      expect(ti.evidence.some((e) => e.text.includes('config hot reload applied (gateway.auth.token)'))).toBe(true);
    });

    test('token-invalidated: a mismatch before the last gateway start is history (no finding)', async () => {
      const f = await fx();
      f.appendLog([
        L.listening({ port: f.port, time: ago(60 * MIN), format }),
        L.hotReload({ time: ago(21 * MIN), format }),
        L.deviceTokenMismatch({ time: ago(20 * MIN), format }),
        L.listening({ port: f.port, time: ago(10 * MIN), format }),
      ]);
      const r = await diagnose(f);
      expect(r.of('token-invalidated')).toEqual([]);
    });

    test('token-scope-mismatch: from a "device token scope mismatch" line when the store looks consistent', async () => {
      const f = await fx({ devices: [{ scopes: [READ] }] });
      f.appendLog([L.listening({ port: f.port, time: ago(30 * MIN), format }), L.scopeMismatch({ time: ago(2 * MIN), format })]);
      const r = await diagnose(f);
      const tsm = r.one('token-scope-mismatch');
      expect(tsm.severity).toBe('warning');
      expect(tsm.evidence.some((e) => e.text.includes('device token scope mismatch'))).toBe(true);
      // it is not a device-token mismatch
      expect(r.ids).not.toContain('token-invalidated');
    });

    test('non-loopback: a "Gateway target:" line with a Docker address; a loopback target is fine', async () => {
      const f = await fx();
      f.appendLog([gatewayTarget(`ws://127.0.0.1:${f.port}`, { time: ago(5 * MIN), format })]);
      const ok = await diagnose(f);
      expect(ok.of('non-loopback')).toEqual([]);

      f.appendLog([gatewayTarget('ws://172.18.0.2:18789', { time: ago(MIN), format })]);
      const r = await diagnose(f);
      const nl = r.one('non-loopback');
      expect(nl.severity).toBe('warning');
      expect(nl.evidence.some((e) => e.kind === 'log' && e.text.includes('Gateway target: ws://172.18.0.2:18789'))).toBe(true);
    });

    test('first-time-pairing: a not-paired refusal after the gateway started', async () => {
      const stranger = hex64();
      const requestId = crypto.randomUUID();
      const f = await fx();
      f.appendLog([
        L.listening({ port: f.port, time: ago(30 * MIN), format }),
        L.notPaired({ deviceId: stranger, requestId, port: f.port, time: ago(MIN), format }),
      ]);
      const r = await diagnose(f);
      const ftp = r.one('first-time-pairing');
      expect(ftp.severity).toBe('warning');
      expect(ftp.evidence.some((e) => e.text.includes('device is not approved yet'))).toBe(true);
      if (format === 'json') {
        // the file format carries deviceId and requestId in the line's meta object
        expect(ftp.device?.deviceId).toBe(stranger);
        expect(ftp.requestId).toBe(requestId);
        expect(ftp.suggestedFix.command).toBe(`openclaw devices approve ${requestId}`);
      }
      expect(r.ids).not.toContain('scope-upgrade');
    });

    test('gateway-token-mismatch: a wrong shared token after the last start; before it, nothing', async () => {
      const f = await fx();
      f.appendLog([
        L.listening({ port: f.port, time: ago(60 * MIN), format }),
        gatewayTokenMismatch({ port: f.port, time: ago(40 * MIN), format }),
        L.listening({ port: f.port, time: ago(30 * MIN), format }),
      ]);
      const before = await diagnose(f);
      expect(before.of('gateway-token-mismatch')).toEqual([]);

      f.appendLog([gatewayTokenMismatch({ port: f.port, time: ago(MIN), format })]);
      const r = await diagnose(f);
      const gtm = r.one('gateway-token-mismatch');
      expect(gtm.severity).toBe('warning');
      expect(gtm.evidence.some((e) => e.text.includes('gateway token mismatch'))).toBe(true);
      // a shared-secret problem is not a device-token or pairing problem
      expect(r.ids).not.toContain('token-invalidated');
      expect(r.ids).not.toContain('first-time-pairing');
    });

    test('--log-file reads the given file instead of logging.file', async () => {
      const f = await fx({ devices: [{ scopes: [READ] }] });
      const other = path.join(f.root, 'elsewhere', 'gateway.log');
      fs.mkdirSync(path.dirname(other), { recursive: true });
      fs.writeFileSync(
        other,
        [
          L.listening({ port: f.port, time: ago(30 * MIN), format }),
          L.auditScopeUpgrade({ deviceId: f.deviceId, from: [READ], to: [WRITE], time: ago(MIN), format }),
        ].join('\n') + '\n',
      );
      f.appendLog([L.listening({ port: f.port, time: ago(30 * MIN), format })]);
      const plain = await diagnose(f);
      expect(plain.json.openclaw.logFiles).toEqual([f.logFile]);
      expect(plain.of('scope-upgrade')).toEqual([]);

      const r = await diagnose(f, { args: ['--log-file', other] });
      expect(r.json.openclaw.logFiles).toEqual([other]);
      expect(r.one('scope-upgrade').missingScopes).toEqual([WRITE]);
    });

    if (kind === 'sqlite') {
      test('legacy-store-ignored: the startup warning line is part of the evidence', async () => {
        const f = await fx({ legacyJson: true });
        f.appendLog([L.listening({ port: f.port, time: ago(30 * MIN), format }), L.legacyStore({ time: ago(30 * MIN - 10), format })]);
        const r = await diagnose(f);
        const ls = r.one('legacy-store-ignored');
        expect(ls.evidence.some((e) => e.kind === 'log' && e.text.includes('Legacy pairing stores require repair'))).toBe(true);
      });
    }
  });

  // ---- store / config / environment detectors (no logs needed) ---------------------------------------

  test('scope-upgrade: a pending repair request above the approved scopes, and none when it is covered', async () => {
    const f = await fx({ devices: [{ scopes: [READ] }], pending: [{ scopes: [READ, WRITE] }] });
    const r = await diagnose(f);
    const su = r.one('scope-upgrade');
    expect(su).toMatchObject({ severity: 'error', device: { deviceId: f.deviceId }, missingScopes: [WRITE], requestId: f.requestIds[0] });

    const g = await fx({ devices: [{ scopes: [ADMIN] }], pending: [{ scopes: [READ, WRITE] }] });
    expect((await diagnose(g)).of('scope-upgrade')).toEqual([]);
  });

  test('token-invalidated: a config edited after the running gateway started is named as the cause', async () => {
    const f = await fx();
    await startGateway(f);
    f.appendLog([L.deviceTokenMismatch({ time: Date.now() })]);
    const later = new Date(Date.now() + 500);
    fs.utimesSync(f.configPath, later, later);
    const r = await diagnose(f);
    const ti = r.one('token-invalidated');
    expect(ti.detail).toContain('the config was edited while the gateway was running');
    expect(ti.evidence.some((e) => e.kind === 'config' && e.source === f.configPath && e.text.includes('after the gateway started'))).toBe(true);
    expect(r.json.openclaw.gateway.running).toBe(true);
  });

  test('token-invalidated: a client token cache that differs from the paired record names a rotated token', async () => {
    const f = await fx({ deviceAuth: { token: secret() } });
    f.appendLog([L.listening({ port: f.port, time: ago(30 * MIN) }), L.deviceTokenMismatch({ time: ago(MIN) })]);
    const r = await diagnose(f);
    const ti = r.one('token-invalidated');
    expect(ti.detail).toContain('the device token was rotated or re-minted while a client kept the old one');
    expect(ti.evidence.some((e) => e.kind === 'store' && e.text.includes('compared by hash'))).toBe(true);
    expect(ti.detail).not.toMatch(/config was (changed|edited)/);
  });

  test('token-scope-mismatch: a token carrying scopes outside the approved ones; consistent tokens are fine', async () => {
    const other = hex64();
    const f = await fx({
      devices: [
        { scopes: [READ, WRITE], approvedScopes: [READ] }, // token follows approvedScopes: consistent
        { deviceId: other, displayName: 'tablet', scopes: [READ, WRITE], tokenScopes: [READ, WRITE, ADMIN] },
      ],
    });
    const r = await diagnose(f);
    const tsm = r.one('token-scope-mismatch');
    expect(tsm.severity).toBe('warning');
    expect(tsm.device?.deviceId).toBe(other);
    expect(tsm.approvedScopes).toEqual([READ, WRITE]);
    expect(tsm.title).toContain(`(${ADMIN})`);
    expect(tsm.suggestedFix.command).toBe(`openclaw devices rotate --device ${other} --role operator`);

    const g = await fx({ devices: [{ scopes: [READ, WRITE] }] });
    expect((await diagnose(g)).of('token-scope-mismatch')).toEqual([]);
  });

  test('legacy-store-ignored: only a JSON store beside the authoritative SQLite one', async () => {
    if (kind === 'sqlite') {
      const f = await fx({ legacyJson: [{ scopes: [READ] }, { deviceId: hex64(), scopes: [READ, WRITE] }] });
      const r = await diagnose(f);
      const ls = r.one('legacy-store-ignored');
      expect(ls.severity).toBe('warning');
      expect(ls.detail).toContain('2 device record(s)');
      expect(ls.evidence[0]).toMatchObject({ kind: 'file', source: f.paths.paired });
      expect(r.json.openclaw.store.kind).toBe('sqlite');
    }
    // the JSON era's paired.json is THE store, and a SQLite era without leftovers has nothing to report
    const g = await fx();
    expect((await diagnose(g)).of('legacy-store-ignored')).toEqual([]);
  });

  test.each([
    ['gateway.mode remote', { gateway: { mode: 'remote', remote: { url: 'wss://gateway.example.com' } } }, 'gateway.mode = remote'],
    ['a non-loopback gateway.remote.url', { gateway: { remote: { url: 'ws://10.0.0.5:18789' } } }, 'gateway.remote.url = ws://10.0.0.5:18789'],
  ])('non-loopback: %s', async (_name, configExtra, evidence) => {
    const f = await fx({ configExtra });
    const r = await diagnose(f);
    const nl = r.one('non-loopback');
    expect(nl.severity).toBe('warning');
    expect(nl.evidence.some((e) => e.kind === 'config' && e.text.includes(evidence) && e.source === f.configPath)).toBe(true);
  });

  test('non-loopback: OPENCLAW_GATEWAY_URL off loopback fires, loopback URLs do not', async () => {
    const f = await fx({ configExtra: { gateway: { remote: { url: 'ws://127.0.0.1:18789' } } } });
    expect((await diagnose(f, { env: { OPENCLAW_GATEWAY_URL: `ws://localhost:${f.port}` } })).of('non-loopback')).toEqual([]);
    const r = await diagnose(f, { env: { OPENCLAW_GATEWAY_URL: 'ws://192.168.1.20:18789' } });
    const nl = r.one('non-loopback');
    expect(nl.evidence.some((e) => e.kind === 'process' && e.text.includes('OPENCLAW_GATEWAY_URL=ws://192.168.1.20:18789'))).toBe(true);
  });

  test.each([
    ['0.0.0.0', 'lan'],
    ['localhost', 'loopback'],
    ['127.0.0.1', 'loopback'],
  ])('invalid-bind: "%s" suggests %s', async (bind, fix) => {
    const f = await fx({ configExtra: { gateway: { bind } } });
    const r = await diagnose(f);
    const ib = r.one('invalid-bind');
    expect(ib.severity).toBe('error');
    expect(ib.title).toContain(`"${bind}"`);
    expect(ib.suggestedFix.command).toBe(`openclaw config set gateway.bind ${fix}`);
    expect(ib.detail).toContain(`"${fix}"`);
  });

  test('invalid-bind: valid modes are silent', async () => {
    for (const bind of ['loopback', 'lan', 'auto']) {
      const f = await fx({ configExtra: { gateway: { bind } } });
      expect((await diagnose(f)).of('invalid-bind')).toEqual([]);
    }
  });

  test('pending-expired: a request older than 5 minutes (info)', async () => {
    const f = await fx({ devices: [{ scopes: [READ] }], pending: [{ scopes: [READ, WRITE], ts: ago(10 * MIN) }] });
    const r = await diagnose(f);
    const pe = r.one('pending-expired');
    expect(pe.severity).toBe('info');
    expect(pe.device?.deviceId).toBe(f.deviceId);
    expect(pe.evidence).toHaveLength(1);
    expect(pe.evidence[0]!.text).toContain(`request ${f.requestIds[0]} `);
    expect(pe.evidence[0]!.text).toContain('(expired)');
    // an expired request is no longer a live scope upgrade or first-time pairing
    expect(r.ids).not.toContain('scope-upgrade');
    expect(r.ids).not.toContain('first-time-pairing');
  });

  test('pending-expired: a request superseded by a newer one; the newer one is the one to approve', async () => {
    const f = await fx({
      devices: [{ scopes: [READ] }],
      pending: [
        { scopes: [READ, WRITE], ts: ago(3 * MIN) },
        { scopes: [READ, WRITE], ts: ago(30_000) },
      ],
    });
    const [older, newer] = f.requestIds as [string, string];
    const r = await diagnose(f);
    const pe = r.one('pending-expired');
    expect(pe.severity).toBe('info');
    expect(pe.evidence.map((e) => e.text)).toEqual([expect.stringMatching(new RegExp(`^request ${older} .*\\(superseded\\)$`))]);
    expect(r.one('scope-upgrade').requestId).toBe(newer);
  });

  test('pending-expired: one fresh request is not stale', async () => {
    const f = await fx({ devices: [{ scopes: [READ] }], pending: [{ scopes: [READ, WRITE], ts: ago(MIN) }] });
    expect((await diagnose(f)).of('pending-expired')).toEqual([]);
  });

  test('first-time-pairing: a live pending request for a device that is not paired', async () => {
    const stranger = hex64();
    const f = await fx({ devices: [{ scopes: [READ] }], pending: [{ deviceId: stranger, scopes: [READ], clientId: 'openclaw-control-ui', clientMode: 'webchat' }] });
    const r = await diagnose(f);
    const ftp = r.one('first-time-pairing');
    expect(ftp).toMatchObject({ severity: 'warning', device: { deviceId: stranger }, requestId: f.requestIds[0], requestedScopes: [READ] });
    expect(ftp.suggestedFix.command).toBe(`openclaw devices approve ${f.requestIds[0]}`);
    expect(r.ids).not.toContain('scope-upgrade');

    // the paired device's own pending request within its scopes is not first-time pairing
    const g = await fx({ devices: [{ scopes: [READ, WRITE] }], pending: [{ scopes: [READ] }] });
    expect((await diagnose(g)).of('first-time-pairing')).toEqual([]);
  });

  test('gateway-not-running: fires with nothing on the port, silent once the gateway answers', async () => {
    const f = await fx();
    const down = await diagnose(f);
    const gnr = down.one('gateway-not-running');
    expect(gnr.severity).toBe('warning');
    expect(gnr.title).toContain(`127.0.0.1:${f.port}`);
    expect(down.json.openclaw.gateway).toEqual({ running: false, port: f.port });
    expect(down.code).toBe(1);

    await startGateway(f);
    const up = await diagnose(f);
    expect(up.of('gateway-not-running')).toEqual([]);
    expect(up.json.openclaw.gateway.running).toBe(true);
    expect(up.code).toBe(0);
  });

  test('several-state-dirs: another ~/.openclaw-work with a config is an info note; exit 0 when it is the only finding', async () => {
    const f = await fx({ devices: [{ scopes: [READ, WRITE] }] });
    const work = path.join(f.home, '.openclaw-work');
    fs.mkdirSync(work, { recursive: true });
    fs.writeFileSync(path.join(work, 'openclaw.json'), '{ gateway: { port: 18790 } }\n');
    fs.mkdirSync(path.join(f.home, '.openclaw-empty')); // no config, no store: not worth naming
    fs.mkdirSync(path.join(f.home, '.config'));
    await startGateway(f);
    const r = await diagnose(f);
    expect(r.ids).toEqual(['several-state-dirs']);
    const sd = r.one('several-state-dirs');
    expect(sd.severity).toBe('info');
    expect(sd.title).toContain(`2 OpenClaw state dirs exist; clawfix is looking at ${f.stateDir}`);
    expect(sd.evidence.map((e) => e.source)).toEqual([work]);
    expect(r.code).toBe(0);
    expect(r.json.ok).toBe(true);

    fs.rmSync(work, { recursive: true });
    expect((await diagnose(f)).json.findings).toEqual([]);
  });

  // ---- the OpenClaw version ---------------------------------------------------------------------------

  test('version from the package.json beside the binary (no `openclaw --version` call)', async () => {
    const f = await fx();
    const r = await diagnose(f);
    expect(r.json.openclaw.version).toBe(version);
    expect(r.json.openclaw.executable).toBe(path.join(f.fake.binDir, 'openclaw'));
    expect(r.json.openclaw.store.era).toBe(kind === 'sqlite' ? 'E5' : 'E4');
    expect(f.fake.calls()).not.toContain('--version');
  });

  test('version from `openclaw --version` when no package.json sits beside the binary', async () => {
    const f = await fx({ devices: [{ scopes: [READ] }] });
    f.appendLog([L.auditScopeUpgrade({ deviceId: f.deviceId, from: [READ], to: [WRITE], time: ago(MIN) })]);
    const bare = installFakeOpenclaw(path.join(f.root, 'bare'), { packageJson: false });
    bare.writeCtl({ version, store: kind });
    expect(fs.existsSync(path.join(bare.binDir, 'package.json'))).toBe(false);
    const r = await diagnose(f, { fake: bare });
    expect(r.json.openclaw.version).toBe(version);
    expect(r.json.openclaw.executable).toBe(path.join(bare.binDir, 'openclaw'));
    expect(r.json.openclaw.store).toMatchObject({ kind, era: kind === 'sqlite' ? 'E5' : 'E4' });
    expect(bare.calls()).toEqual(['--version']);
    expect(r.one('scope-upgrade').missingScopes).toEqual([WRITE]);
  });

  test('no openclaw on PATH: still diagnoses from the data and says the version is unknown', async () => {
    const f = await fx({ devices: [{ scopes: [READ] }] });
    f.appendLog([L.auditScopeUpgrade({ deviceId: f.deviceId, from: [READ], to: [WRITE], time: ago(MIN) })]);
    const env = { PATH: path.join(f.root, 'no-such-bin') };
    const r = await diagnose(f, { env });
    expect(r.json.openclaw.version).toBeNull();
    expect(r.json.openclaw.executable).toBeNull();
    expect(r.json.openclaw.store).toMatchObject({ kind, era: 'unknown', ok: true });
    expect(r.one('scope-upgrade')).toMatchObject({ device: { deviceId: f.deviceId }, missingScopes: [WRITE], approvedScopes: [READ] });
    expect(f.fake.calls()).toEqual([]);

    const human = await runCli(['diagnose'], { fixture: f, env });
    assertNoSecrets([human.stdout, human.stderr], f.secrets);
    expect(human.code).toBe(1);
    expect(human.stdout).toContain('version unknown');
    expect(human.stdout).toContain('openclaw is not on PATH');
    expect(human.stdout).toContain('[scope-upgrade]');
  });

  // ---- where to look ----------------------------------------------------------------------------------

  test('--state-dir wins over OPENCLAW_STATE_DIR (config taken from that dir)', async () => {
    const f = await fx({ devices: [{ scopes: [READ] }], pending: [{ scopes: [READ, WRITE] }] });
    const decoy = path.join(f.root, 'decoy-state');
    const r = await diagnose(f, { args: ['--state-dir', f.stateDir], env: { OPENCLAW_STATE_DIR: decoy, OPENCLAW_CONFIG_PATH: path.join(decoy, 'openclaw.json') } });
    expect(r.json.openclaw.stateDir).toBe(f.stateDir);
    expect(r.json.openclaw.configPath).toBe(f.configPath);
    expect(r.json.openclaw.gateway.port).toBe(f.port);
    expect(r.one('scope-upgrade').missingScopes).toEqual([WRITE]);
  });

  test('--profile NAME looks at $HOME/.openclaw-NAME', async () => {
    const f = await fx({ devices: [{ scopes: [READ] }], pending: [{ scopes: [READ, WRITE] }] });
    const profileDir = path.join(f.home, '.openclaw-work');
    fs.renameSync(f.stateDir, profileDir);
    const r = await diagnose(f, { args: ['--profile', 'work'], env: { OPENCLAW_STATE_DIR: '', OPENCLAW_CONFIG_PATH: '' }, tree: profileDir });
    expect(r.json.openclaw.stateDir).toBe(profileDir);
    expect(r.json.openclaw.configPath).toBe(path.join(profileDir, 'openclaw.json'));
    expect(r.json.openclaw.store.ok).toBe(true);
    expect(r.one('scope-upgrade').missingScopes).toEqual([WRITE]);
    // the profile's own dir is not "another" state dir
    expect(r.ids).not.toContain('several-state-dirs');
  });

  test('--config reads that file (JSON5) instead of OPENCLAW_CONFIG_PATH', async () => {
    const f = await fx();
    const custom = path.join(f.root, 'elsewhere', 'custom.json5');
    fs.mkdirSync(path.dirname(custom), { recursive: true });
    fs.writeFileSync(
      custom,
      `// hand-edited\n{\n  gateway: { mode: 'local', bind: '0.0.0.0', port: ${f.port}, },\n  logging: { file: ${JSON.stringify(f.logFile)} },\n}\n`,
    );
    const plain = await diagnose(f);
    expect(plain.json.openclaw.configPath).toBe(f.configPath);
    expect(plain.of('invalid-bind')).toEqual([]);

    const r = await diagnose(f, { args: ['--config', custom] });
    expect(r.json.openclaw.configPath).toBe(custom);
    expect(r.one('invalid-bind').suggestedFix.command).toBe('openclaw config set gateway.bind lan');
    expect(r.one('invalid-bind').evidence[0]!.source).toBe(custom);
  });

  test('many problems at once: JSON and human output stay free of secrets, state untouched', async () => {
    const remoteToken = `sekrit-remote${crypto.randomBytes(8).toString('hex')}`;
    const envToken = `sekrit-env${crypto.randomBytes(8).toString('hex')}`;
    const f = await fx({
      devices: [{ scopes: [READ], tokenScopes: [READ, WRITE] }],
      pending: [{ scopes: [READ, ADMIN] }, { deviceId: hex64(), scopes: [READ], ts: ago(20 * MIN) }],
      configExtra: { gateway: { bind: '0.0.0.0', mode: 'remote', remote: { url: 'wss://gw.example.com', token: remoteToken } } },
      ...(kind === 'sqlite' ? { legacyJson: true } : {}),
    });
    f.secrets.push(remoteToken, envToken);
    f.appendLog([
      L.listening({ port: f.port, time: ago(30 * MIN) }),
      L.auditScopeUpgrade({ deviceId: f.deviceId, from: [READ], to: [ADMIN], time: ago(3 * MIN) }),
      L.hotReload({ time: ago(2 * MIN), format: 'console' }),
      L.deviceTokenMismatch({ time: ago(MIN), format: 'console' }),
      gatewayTokenMismatch({ port: f.port, time: ago(MIN), format: 'json' }),
    ]);
    const env = { OPENCLAW_GATEWAY_TOKEN: envToken, OPENCLAW_GATEWAY_URL: 'ws://10.1.2.3:18789' };
    const r = await diagnose(f, { env });
    // No gateway-not-running: the config is remote mode, so no local gateway is expected to run.
    const expected = ['scope-upgrade', 'token-invalidated', 'token-scope-mismatch', 'invalid-bind', 'non-loopback', 'pending-expired', 'gateway-token-mismatch'];
    // advice: the hot reload since the last start; 7.35 never approves the scope upgrade silently
    expected.push('config-edited-while-running');
    if (kind === 'sqlite') expected.push('legacy-store-ignored');
    else expected.push('era-never-approves');
    expect([...new Set(r.ids)].sort()).toEqual(expected.sort());
    // errors first, then warnings, then info
    const rank = { error: 0, warning: 1, info: 2 } as const;
    const ranks = r.json.findings.map((x) => rank[x.severity]);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));

    const before = await hashTree(f.stateDir);
    const human = await runCli(['diagnose', '--verbose'], { fixture: f, env });
    assertNoSecrets([human.stdout, human.stderr], f.secrets);
    expect(human.code).toBe(1);
    for (const id of expected) expect(human.stdout).toContain(`[${id}]`);
    expect(diffTrees(before, await hashTree(f.stateDir))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------
// store-unreadable, per store format

describe('store-unreadable on the JSON store (2026.7.35)', () => {
  async function fx(o: FixtureOptions = {}): Promise<Fixture> {
    const f = await makeStateDir({ version: '2026.7.35', ...o });
    fixtures.push(f);
    return f;
  }

  test('a healthy map-shaped store is readable', async () => {
    const f = await fx();
    const r = await diagnose(f);
    expect(r.of('store-unreadable')).toEqual([]);
    expect(r.json.openclaw.store).toMatchObject({ kind: 'json', ok: true });
  });

  test('truncated paired.json: error, and no pairing verdicts built on it', async () => {
    const f = await fx({ devices: [{ scopes: [READ] }], pending: [{ scopes: [READ, WRITE] }] });
    const text = fs.readFileSync(f.paths.paired, 'utf8');
    fs.writeFileSync(f.paths.paired, text.slice(0, Math.floor(text.length / 2)));
    f.appendLog([L.auditScopeUpgrade({ deviceId: f.deviceId, from: [READ], to: [WRITE], time: ago(MIN) })]);
    const r = await diagnose(f);
    const su = r.one('store-unreadable');
    expect(su.severity).toBe('error');
    expect(su.title).toBe('The pairing store cannot be read');
    expect(su.evidence[0]!.source).toBe(f.paths.paired);
    expect(r.json.openclaw.store.ok).toBe(false);
    expect(r.ids).not.toContain('scope-upgrade');
  });

  test.each([
    ['devices-wrapper', '{"devices":[…]}'],
    ['array', 'array'],
  ] as const)('the %s shape from guides is an error (and still read for the diagnosis)', async (shape, named) => {
    const f = await fx({ shape, devices: [{ scopes: [READ] }] });
    f.appendLog([L.auditScopeUpgrade({ deviceId: f.deviceId, from: [READ], to: [WRITE], time: ago(MIN) })]);
    const r = await diagnose(f);
    const su = r.one('store-unreadable');
    expect(su.severity).toBe('error');
    expect(su.title).toContain(named);
    expect(su.evidence[0]).toMatchObject({ text: `shape: ${shape}`, source: f.paths.paired });
    expect(r.one('scope-upgrade').device?.deviceId).toBe(f.deviceId);
  });

  test('a pending request pasted into paired.json', async () => {
    const f = await fx({ devices: [{ scopes: [READ] }] });
    const requestId = crypto.randomUUID();
    const paired = JSON.parse(fs.readFileSync(f.paths.paired, 'utf8')) as Record<string, unknown>;
    paired[requestId] = { requestId, deviceId: f.deviceId, publicKey: 'AAAA', role: 'operator', roles: ['operator'], scopes: [READ, WRITE], silent: false, isRepair: true, ts: ago(MIN) };
    fs.writeFileSync(f.paths.paired, JSON.stringify(paired, null, 2));
    const r = await diagnose(f);
    const su = r.one('store-unreadable');
    expect(su.severity).toBe('warning');
    expect(su.title).toBe('devices/paired.json contains pending requests');
    expect(su.detail).toContain(requestId);
  });
});

describe('store-unreadable on the SQLite store (2026.9.6)', () => {
  async function fx(o: FixtureOptions = {}): Promise<Fixture> {
    const f = await makeStateDir({ version: '2026.9.6', ...o });
    fixtures.push(f);
    return f;
  }

  test('a healthy database is readable', async () => {
    const f = await fx();
    const r = await diagnose(f);
    expect(r.of('store-unreadable')).toEqual([]);
    expect(r.json.openclaw.store).toMatchObject({ kind: 'sqlite', ok: true });
  });

  test('a file that is not an SQLite database', async () => {
    const f = await fx();
    fs.writeFileSync(f.paths.sqlite, 'this is not a database\n'.repeat(200), { mode: 0o600 });
    const r = await diagnose(f);
    const su = r.one('store-unreadable');
    expect(su.severity).toBe('error');
    expect(su.evidence[0]!.source).toBe(f.paths.sqlite);
    expect(su.detail).toContain('is not a readable SQLite database');
    expect(r.json.openclaw.store).toMatchObject({ kind: 'sqlite', ok: false });
  });

  test('a database without the pairing tables', async () => {
    const f = await fx();
    fs.rmSync(f.paths.sqlite);
    const db = new DatabaseSync(f.paths.sqlite);
    db.exec("CREATE TABLE schema_meta (key TEXT PRIMARY KEY, value TEXT); INSERT INTO schema_meta VALUES ('app_version', '2026.9.6');");
    db.close();
    const r = await diagnose(f);
    const su = r.one('store-unreadable');
    expect(su.severity).toBe('error');
    expect(su.detail).toMatch(/has no device_pairing_paired, device_pairing_pending table/);
    expect(su.evidence[0]!.source).toBe(f.paths.sqlite);
  });
});
