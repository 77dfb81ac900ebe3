/**
 * Remote mode through the built CLI: with `gateway.mode: "remote"` this machine is a client and the
 * pairing store that decides is on the gateway host. `fix` (also --dry-run) and a `rollback` that would
 * restore the local store are refused before anything is touched (exit 1, nothing changed), with how to
 * run clawfix there; what answers on the local port (an SSH tunnel, here a stand-in process) is never
 * stopped. `edit-config` still edits the client's own config, without restarting anything.
 */
import { afterEach, describe, expect, test } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { diffTrees, hashTree, runCli, runOpenclaw, type RunResult } from './helpers/cli.js';
import { makeStateDir, type Fixture, type FixtureOptions } from './helpers/fixtures.js';
import * as L from './helpers/logs.js';
import { FAST } from './helpers/repair.js';
import { healthz, waitFor } from './helpers/wait.js';

const fixtures: Fixture[] = [];
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await Promise.all(fixtures.splice(0).map((f) => f.cleanup()));
});

const REMOTE_URL = 'wss://gw.example.net:18789';

/** A refused sub-agent (pending request + audit line) in a state dir whose config is remote mode with `url`. */
async function remoteClient(url: string | ((port: number) => string), o: FixtureOptions = {}): Promise<Fixture> {
  const f = await makeStateDir({ devices: [{ scopes: ['operator.read'] }], pending: [{ scopes: ['operator.read', 'operator.write'] }], ...o });
  fixtures.push(f);
  setRemote(f, typeof url === 'string' ? url : url(f.port));
  f.appendLog([L.auditScopeUpgrade({ deviceId: f.deviceId, from: ['operator.read'], to: ['operator.read', 'operator.write'], time: Date.now() - 30_000 })]);
  return f;
}

function setRemote(f: Fixture, url: string): void {
  const cfg = JSON.parse(fs.readFileSync(f.configPath, 'utf8')) as { gateway: Record<string, unknown> };
  cfg.gateway.mode = 'remote';
  cfg.gateway.remote = { url };
  fs.writeFileSync(f.configPath, JSON.stringify(cfg, null, 2) + '\n');
}

/** A stand-in for `ssh -N -L <port>:127.0.0.1:18789 gw`: a process answering /healthz on the local port. */
async function tunnel(port: number): Promise<ChildProcess> {
  const code =
    `require('http').createServer((q, s) => { s.setHeader('content-type', 'application/json'); s.end('{"ok":true,"status":"live"}'); })` +
    `.listen(${port}, '127.0.0.1', () => console.log('up'));`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  await waitFor(() => healthz(port), { what: 'the stand-in tunnel' });
  return child;
}

const alive = (c: ChildProcess) => c.exitCode === null && c.signalCode === null;
const gatewayCalls = (f: Fixture) => f.fake.calls().filter((c) => c.startsWith('gateway'));
const clawfix = (f: Fixture, args: string[]): Promise<RunResult> => runCli(args, { fixture: f, env: FAST, timeoutMs: 45_000 });

function expectRefused(r: RunResult, f: Fixture, cmd: string): void {
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(`clawfix: gateway.mode is "remote" in ${f.configPath}`);
  expect(r.stderr).toContain(`the pairing store that decides is on the gateway's host, not in ${f.stateDir}`);
  expect(r.stderr).toContain('nothing was changed');
  expect(r.stderr).toContain(`docker exec -it <container> clawfix ${cmd}`);
  expect(r.stderr).toContain('--state-dir DIR');
  expect(`${r.stdout}${r.stderr}`).not.toMatch(/Repaired|Rolled back|^\s+at /m);
}

describe('remote mode', () => {
  test('fix --yes with a non-loopback remote URL is refused: exit 1, ssh to the gateway host named, the local store untouched', async () => {
    const f = await remoteClient(REMOTE_URL);
    const before = await hashTree(f.stateDir);
    const r = await clawfix(f, ['fix', '--yes']);
    expectRefused(r, f, 'fix --yes');
    expect(r.stderr).toContain(`a client of the gateway at ${REMOTE_URL}`);
    expect(r.stderr).toContain('`ssh gw.example.net`, then `clawfix fix --yes`');
    expect(diffTrees(before, await hashTree(f.stateDir))).toEqual([]);
    expect(gatewayCalls(f)).toEqual([]);
  });

  test('diagnose says the store that decides is on the gateway host, and suggests starting no local gateway', async () => {
    const f = await remoteClient(REMOTE_URL);
    const r = await runCli(['diagnose', '--json'], { fixture: f });
    const doc = JSON.parse(r.stdout) as { findings: { id: string; detail: string }[] };
    expect(doc.findings.map((x) => x.id)).not.toContain('gateway-not-running');
    expect(doc.findings.find((x) => x.id === 'non-loopback')?.detail).toContain(`the pairing store that decides is on the gateway host (gw.example.net), not in ${f.stateDir}`);
  });

  test('fix --dry-run is refused the same way (the plan could not run here)', async () => {
    const f = await remoteClient(REMOTE_URL);
    const r = await clawfix(f, ['fix', '--dry-run']);
    expectRefused(r, f, 'fix --yes');
  });

  test('through an SSH tunnel (loopback remote URL answering locally): refused, and the tunnel is never stopped', async () => {
    const f = await remoteClient((port) => `ws://127.0.0.1:${port}`);
    const t = await tunnel(f.port);
    const before = await hashTree(f.stateDir);
    const r = await clawfix(f, ['fix', '--yes']);
    expectRefused(r, f, 'fix --yes');
    expect(r.stderr).toContain('a tunnel to the gateway host');
    expect(alive(t)).toBe(true);
    expect(await healthz(f.port)).toBe(true);
    expect(gatewayCalls(f)).toEqual([]);
    expect(diffTrees(before, await hashTree(f.stateDir))).toEqual([]);
  });

  test('rollback of a repair of the local store is refused once the config is remote mode', async () => {
    const f = await makeStateDir({ devices: [{ scopes: ['operator.read'] }], pending: [{ scopes: ['operator.read', 'operator.write'] }] });
    fixtures.push(f);
    const fixed = await clawfix(f, ['fix', '--yes']);
    expect(fixed.code).toBe(0);
    setRemote(f, REMOTE_URL);
    const before = await hashTree(f.stateDir);
    const r = await clawfix(f, ['rollback', '--yes']);
    expectRefused(r, f, 'rollback --yes');
    expect(diffTrees(before, await hashTree(f.stateDir))).toEqual([]);
  });

  test('edit-config edits the client config and restarts nothing: the tunnel keeps running', async () => {
    const f = await remoteClient((port) => `ws://127.0.0.1:${port}`);
    const t = await tunnel(f.port);
    const script = path.join(f.root, 'edit.mjs');
    fs.writeFileSync(script, `import fs from 'node:fs';\nconst p = process.argv.at(-1);\nconst c = JSON.parse(fs.readFileSync(p, 'utf8'));\nc.gateway.remote.transport = 'ssh';\nfs.writeFileSync(p, JSON.stringify(c, null, 2) + '\\n');\n`);
    const r = await clawfix(f, ['edit-config', '--yes', '--editor', `${process.execPath} ${script}`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('nothing is stopped or started');
    expect((JSON.parse(fs.readFileSync(f.configPath, 'utf8')) as { gateway: { remote: { transport?: string } } }).gateway.remote.transport).toBe('ssh');
    expect(alive(t)).toBe(true);
    expect(gatewayCalls(f)).toEqual([]);
  });

  test('a gateway running from this very config (a live lock file: started with --allow-unconfigured) keeps the local store the one to repair', async () => {
    const f = await remoteClient(REMOTE_URL);
    expect((await runOpenclaw(['gateway', 'start'], { fixture: f })).code).toBe(0);
    await waitFor(() => healthz(f.port), { what: 'fake gateway up' });
    const r = await clawfix(f, ['fix', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('gateway.mode is "remote"');
  });
});
