/**
 * The advice findings that stop "pairing required" from coming back, through `clawfix diagnose`:
 * era-never-approves, config-edited-while-running, stale-service-token (systemd unit, LaunchAgent,
 * Windows gateway.cmd; tokens compared by hash and never printed) and several-state-dirs knowing which
 * state dir the running gateway uses (its lock file, or the service definition's pins).
 */
import { afterEach, describe, expect, test } from '@jest/globals';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { assertNoSecrets, diffTrees, hashTree, runCli, runOpenclaw, type RunResult } from './helpers/cli.js';
import { makeStateDir, secret, type Fixture, type FixtureOptions } from './helpers/fixtures.js';
import * as L from './helpers/logs.js';
import { healthz, waitFor } from './helpers/wait.js';

const fixtures: Fixture[] = [];
const cleanups: (() => void)[] = [];
afterEach(async () => {
  cleanups.splice(0).forEach((c) => c());
  await Promise.all(fixtures.splice(0).map((f) => f.cleanup()));
});

const READ = 'operator.read';
const WRITE = 'operator.write';
const MIN = 60_000;

interface FindingJson {
  id: string;
  severity: string;
  title: string;
  detail: string;
  evidence: { kind: string; text: string; source?: string }[];
  suggestedFix: { kind: string; description: string; command?: string };
}

async function fixture(o: FixtureOptions = {}): Promise<Fixture> {
  const f = await makeStateDir({ devices: [{ scopes: [READ, WRITE] }], ...o });
  fixtures.push(f);
  return f;
}

async function startGateway(f: Fixture): Promise<void> {
  expect((await runOpenclaw(['gateway', 'start'], { fixture: f })).code).toBe(0);
  await waitFor(() => healthz(f.port), { timeoutMs: 10_000, what: 'fake gateway up' });
}

/** `diagnose --json`, proving on every run: no secret in any output, state dir untouched, exit code follows severities. */
async function diagnose(f: Fixture, extraSecrets: string[] = [], args: string[] = []): Promise<RunResult & { findings: FindingJson[]; of(id: string): FindingJson[] }> {
  const before = await hashTree(f.stateDir);
  const r = await runCli(['diagnose', '--json', ...args], { fixture: f });
  const human = await runCli(['diagnose', ...args], { fixture: f });
  assertNoSecrets([r.stdout, r.stderr, human.stdout, human.stderr], [...f.secrets, ...extraSecrets]);
  expect(diffTrees(before, await hashTree(f.stateDir))).toEqual([]);
  const findings = (JSON.parse(r.stdout) as { findings: FindingJson[] }).findings;
  expect(findings.map((x) => x.id)).not.toContain('detector-failed');
  expect(r.code).toBe(findings.some((x) => x.severity !== 'info') ? 1 : 0);
  return { ...r, findings, of: (id) => findings.filter((x) => x.id === id) };
}

function systemdUnit(f: Fixture, o: { token?: string; stateDir?: string; configPath?: string; profile?: string }): string {
  const file = path.join(f.home, '.config', 'systemd', 'user', `openclaw-gateway${o.profile ? `-${o.profile}` : ''}.service`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const env = [
    'Environment=HOME=%h',
    ...(o.stateDir || o.configPath
      ? [`Environment=${o.stateDir ? `"OPENCLAW_STATE_DIR=${o.stateDir}"` : ''} ${o.configPath ? `"OPENCLAW_CONFIG_PATH=${o.configPath}"` : ''}`]
      : []),
    ...(o.token ? [`Environment=OPENCLAW_GATEWAY_TOKEN=${o.token}`] : []),
    'Environment=OPENCLAW_SERVICE_MARKER=openclaw OPENCLAW_SERVICE_KIND=gateway',
  ];
  fs.writeFileSync(
    file,
    ['[Unit]', 'Description=OpenClaw Gateway (v2026.7.35)', '', '[Service]', 'ExecStart=/usr/bin/node /usr/lib/node_modules/openclaw/dist/index.js gateway --port 18789', 'Restart=always', ...env, '', '[Install]', 'WantedBy=default.target', ''].join('\n'),
  );
  return file;
}

describe('stale-service-token', () => {
  test('systemd unit with a different OPENCLAW_GATEWAY_TOKEN: a warning naming the unit, neither token printed', async () => {
    const f = await fixture();
    const stale = secret();
    const unit = systemdUnit(f, { token: stale, stateDir: f.stateDir, configPath: f.configPath });
    const r = await diagnose(f, [stale]);
    const [st] = r.of('stale-service-token');
    expect(st).toBeDefined();
    expect(st!.severity).toBe('warning');
    expect(st!.evidence[0]!.source).toBe(unit);
    expect(st!.evidence[0]!.text).toContain('sha256');
    expect(st!.suggestedFix.command).toBe('openclaw gateway install --force && openclaw gateway restart');
    expect(r.code).toBe(1);
  });

  test('systemd unit with the same token: no finding', async () => {
    const f = await fixture();
    systemdUnit(f, { token: f.gatewayToken, stateDir: f.stateDir });
    await startGateway(f);
    const r = await diagnose(f);
    expect(r.of('stale-service-token')).toEqual([]);
    expect(r.findings).toEqual([]);
  });

  test('a unit for another state dir is not compared with this config', async () => {
    const f = await fixture();
    const stale = secret();
    systemdUnit(f, { token: stale, stateDir: path.join(f.root, 'elsewhere') });
    expect((await diagnose(f, [stale])).of('stale-service-token')).toEqual([]);
  });

  test('an unpinned unit serves ~/.openclaw: compared when clawfix looks at ~/.openclaw (--profile default path)', async () => {
    const f = await fixture();
    const dflt = path.join(f.home, '.openclaw');
    fs.cpSync(f.stateDir, dflt, { recursive: true });
    const stale = secret();
    systemdUnit(f, { token: stale });
    const r = await runCli(['diagnose', '--json'], { fixture: f, env: { OPENCLAW_STATE_DIR: '', OPENCLAW_CONFIG_PATH: '' } });
    assertNoSecrets([r.stdout, r.stderr], [...f.secrets, stale]);
    const doc = JSON.parse(r.stdout) as { openclaw: { stateDir: string }; findings: FindingJson[] };
    expect(doc.openclaw.stateDir).toBe(dflt);
    expect(doc.findings.map((x) => x.id)).toContain('stale-service-token');
  });

  test('macOS LaunchAgent EnvironmentVariables with a different token', async () => {
    const f = await fixture();
    const stale = `${secret()}&x`;
    const plist = path.join(f.home, 'Library', 'LaunchAgents', 'ai.openclaw.gateway.plist');
    fs.mkdirSync(path.dirname(plist), { recursive: true });
    fs.writeFileSync(
      plist,
      `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
  <dict>
    <key>Label</key>
    <string>ai.openclaw.gateway</string>
    <key>EnvironmentVariables</key>
    <dict>
      <key>OPENCLAW_STATE_DIR</key>
      <string>${f.stateDir}</string>
      <key>OPENCLAW_GATEWAY_TOKEN</key>
      <string>${stale.replace('&', '&amp;')}</string>
    </dict>
  </dict>
</plist>
`,
    );
    const [st] = (await diagnose(f, [stale])).of('stale-service-token');
    expect(st?.evidence[0]!.source).toBe(plist);
    expect(st?.title).toContain('LaunchAgent');

    // the same token (XML-escaped in the file) is recognised as the same
    fs.writeFileSync(plist, fs.readFileSync(plist, 'utf8').replace(stale.replace('&', '&amp;'), f.gatewayToken));
    expect((await diagnose(f)).of('stale-service-token')).toEqual([]);
  });

  test('Windows gateway.cmd in the state dir: set "OPENCLAW_GATEWAY_TOKEN=…"', async () => {
    const f = await fixture();
    const stale = secret();
    const cmd = path.join(f.stateDir, 'gateway.cmd');
    fs.writeFileSync(cmd, `@echo off\r\nrem OpenClaw Gateway\r\nset "OPENCLAW_GATEWAY_PORT=${f.port}"\r\nset "OPENCLAW_GATEWAY_TOKEN=${stale}"\r\n"C:\\Program Files\\nodejs\\node.exe" openclaw gateway\r\n`);
    const [st] = (await diagnose(f, [stale])).of('stale-service-token');
    expect(st?.evidence[0]!.source).toBe(cmd);
    fs.writeFileSync(cmd, `@echo off\r\nset "OPENCLAW_GATEWAY_TOKEN=${f.gatewayToken}"\r\n`);
    expect((await diagnose(f)).of('stale-service-token')).toEqual([]);
  });
});

describe('era-never-approves', () => {
  const refused = (f: Fixture) => [
    L.listening({ port: f.port, time: Date.now() - 30 * MIN }),
    L.auditScopeUpgrade({ deviceId: f.deviceId, from: [READ], to: [READ, WRITE], time: Date.now() - MIN }),
  ];

  test('2026.7.35 (E4) with a refused scope upgrade: advice to upgrade, with the version and the log line as evidence', async () => {
    const f = await fixture({ version: '2026.7.35', devices: [{ scopes: [READ] }] });
    f.appendLog(refused(f));
    const r = await diagnose(f);
    const [a] = r.of('era-never-approves');
    expect(a).toBeDefined();
    expect(a!.severity).toBe('info');
    expect(a!.title).toContain('OpenClaw 2026.7.35 never approves a scope upgrade silently');
    expect(a!.detail).toContain('2026.8+');
    expect(a!.evidence[0]).toMatchObject({ kind: 'version' });
    expect(a!.evidence.some((e) => e.text.includes('reason=scope-upgrade'))).toBe(true);
    expect(r.of('scope-upgrade')).toHaveLength(1);

    // and so in fix's findings
    const fx = await runCli(['fix', '--dry-run', '--json'], { fixture: f });
    expect((JSON.parse(fx.stdout) as { findings: FindingJson[] }).findings.map((x) => x.id)).toContain('era-never-approves');
  });

  test('2026.9.6 (E5, silent local upgrades) with the same refusal: no advice', async () => {
    const f = await fixture({ version: '2026.9.6', devices: [{ scopes: [READ] }] });
    f.appendLog(refused(f));
    const r = await diagnose(f);
    expect(r.of('scope-upgrade')).toHaveLength(1);
    expect(r.of('era-never-approves')).toEqual([]);
  });

  test('2026.7.35 without any scope-upgrade evidence: no advice', async () => {
    const f = await fixture({ version: '2026.7.35' });
    f.appendLog([L.listening({ port: f.port, time: Date.now() - 30 * MIN })]);
    await startGateway(f);
    expect((await diagnose(f)).findings).toEqual([]);
  });

  test('2026.2.21 (E2) names 2026.2.22 as the release that restored silent upgrades', async () => {
    const f = await fixture({ version: '2026.2.21', emptySqlite: false, devices: [{ scopes: [READ] }] });
    f.appendLog(refused(f));
    const [a] = (await diagnose(f)).of('era-never-approves');
    expect(a?.detail).toContain('2026.2.22');
  });
});

describe('config-edited-while-running', () => {
  test('config written after the gateway started: advice to use clawfix edit-config; gone after edit-config restarts it', async () => {
    const f = await fixture();
    await startGateway(f);
    expect((await diagnose(f)).findings).toEqual([]);
    await new Promise((r) => setTimeout(r, 20));
    fs.writeFileSync(f.configPath, fs.readFileSync(f.configPath, 'utf8').replace('"loopback"', '"loopback" '));
    const r = await diagnose(f);
    const [a] = r.of('config-edited-while-running');
    expect(a).toMatchObject({ severity: 'info', suggestedFix: { command: 'clawfix edit-config' } });
    expect(a!.evidence[0]).toMatchObject({ kind: 'config', source: f.configPath });
    expect(a!.evidence[0]!.text).toContain('after the running gateway started');
    expect(r.code).toBe(0);

    const edit = await runCli(['edit-config', '--editor', `sed -i 's/"loopback" /"loopback"/'`], {
      fixture: f,
      env: { CLAWFIX_START_TIMEOUT_MS: '8000', CLAWFIX_STOP_TIMEOUT_MS: '8000' },
    });
    expect(edit.code).toBe(0);
    expect((await diagnose(f)).of('config-edited-while-running')).toEqual([]);
  });

  test('a hot-reload line since the gateway started', async () => {
    const f = await fixture();
    await startGateway(f);
    f.appendLog([L.hotReload({ keys: ['gateway.nodes.pairing.autoApproveLocal'], time: Date.now() + 1000 })]);
    const [a] = (await diagnose(f)).of('config-edited-while-running');
    expect(a?.evidence.some((e) => e.kind === 'log' && e.text.includes('config hot reload applied'))).toBe(true);
  });

  test('reloads before the running gateway started are history: no advice', async () => {
    const f = await fixture();
    f.appendLog([L.hotReload({ time: Date.now() - 10 * MIN })]);
    await startGateway(f);
    expect((await diagnose(f)).of('config-edited-while-running')).toEqual([]);
  });
});

describe('several-state-dirs: which one the running gateway uses', () => {
  function otherDir(f: Fixture, name = '.openclaw-work'): string {
    const d = path.join(f.home, name);
    fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(path.join(d, 'openclaw.json'), '{ gateway: { mode: "local", port: 18790 } }\n');
    return d;
  }

  /** OpenClaw's gateway lock for a config, held by a live pid (this test process). */
  function fakeLock(configPath: string): string {
    const dir = `/tmp/openclaw-${process.getuid?.() ?? 0}`;
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `gateway.${crypto.createHash('sha256').update(configPath).digest('hex').slice(0, 8)}.lock`);
    fs.writeFileSync(file, JSON.stringify({ pid: process.pid, createdAt: new Date().toISOString(), configPath, startTime: Date.now() }));
    cleanups.push(() => fs.rmSync(file, { force: true }));
    return file;
  }

  test('the running gateway uses another state dir (its lock file): a warning pointing there', async () => {
    const f = await fixture();
    const work = otherDir(f);
    const lock = fakeLock(path.join(work, 'openclaw.json'));
    const r = await diagnose(f);
    const [sd] = r.of('several-state-dirs');
    expect(sd).toBeDefined();
    expect(sd!.severity).toBe('warning');
    expect(sd!.title).toBe(`2 OpenClaw state dirs exist; clawfix is looking at ${f.stateDir}, but the gateway uses ${work}`);
    expect(sd!.evidence[0]).toMatchObject({ kind: 'process', source: lock });
    expect(sd!.evidence[0]!.text).toContain(`uses ${path.join(work, 'openclaw.json')}`);
    expect(sd!.suggestedFix.command).toBe(`clawfix --state-dir ${work} diagnose`);
    expect(r.code).toBe(1);
  });

  test('the running gateway uses this state dir: an info note that says so', async () => {
    const f = await fixture();
    const work = otherDir(f);
    await startGateway(f);
    const r = await diagnose(f);
    const [sd] = r.of('several-state-dirs');
    expect(sd!.severity).toBe('info');
    expect(sd!.detail).toMatch(/The running gateway uses this one \(pid \d+, from its lock file/);
    expect(sd!.evidence.map((e) => e.source)).toEqual([work]);
    expect(r.code).toBe(0);
  });

  test('the service definition pins OPENCLAW_STATE_DIR to another state dir: a warning naming the unit', async () => {
    const f = await fixture();
    const work = otherDir(f);
    const unit = systemdUnit(f, { stateDir: '%h/.openclaw-work' });
    const [sd] = (await diagnose(f)).of('several-state-dirs');
    expect(sd!.severity).toBe('warning');
    expect(sd!.title).toContain(`but the gateway uses ${work}`);
    expect(sd!.evidence[0]).toMatchObject({ kind: 'file', source: unit });
    expect(sd!.evidence[0]!.text).toContain(`OPENCLAW_STATE_DIR=${work}`);
  });
});
