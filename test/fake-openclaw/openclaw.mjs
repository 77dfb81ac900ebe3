#!/usr/bin/env node
// Fake `openclaw` CLI owned by the tests. Controlled through FAKE_OPENCLAW_CTL=<dir> (ctl.json,
// calls.log, gateway.pid, fail-consumed.json). Covers: --version, [--profile NAME] gateway stop|start|restart|status|run,
// devices list|approve. Anything else exits 2 with `unknown command`.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ctlDir,
  healthz,
  isAlive,
  log,
  newToken,
  openStore,
  pidFile,
  portBusy,
  pruneExpired,
  readCtl,
  resolveState,
  runningGatewayPid,
  sleep,
  storeKindOf,
  union,
  versionOf,
} from './lib.mjs';

const GATEWAY = path.join(path.dirname(fileURLToPath(import.meta.url)), 'gateway.mjs');
const rawArgv = process.argv.slice(2);
// `--profile NAME` (anywhere): like OpenClaw, the profile's state dir and config unless the env names them.
const profileAt = rawArgv.indexOf('--profile');
const argv = profileAt >= 0 ? [...rawArgv.slice(0, profileAt), ...rawArgv.slice(profileAt + 2)] : rawArgv;
if (profileAt >= 0 && rawArgv[profileAt + 1]) {
  const profile = rawArgv[profileAt + 1];
  const home = process.env.OPENCLAW_HOME || process.env.HOME;
  process.env.OPENCLAW_PROFILE = profile;
  process.env.OPENCLAW_STATE_DIR ||= path.join(home, `.openclaw-${profile}`);
  process.env.OPENCLAW_CONFIG_PATH ||= path.join(process.env.OPENCLAW_STATE_DIR, 'openclaw.json');
}
const ctl = readCtl();
const dir = ctlDir();
const callsLog = path.join(dir, 'calls.log');
const stamp = () => `${new Date().toISOString()} ${process.pid}`;

fs.appendFileSync(callsLog, `${stamp()} ${rawArgv.join(' ')}\n`);

const flags = new Set(argv.filter((a) => a.startsWith('--')));
const positional = argv.filter((a) => !a.startsWith('--'));
const json = flags.has('--json');
const key = argv[0] === '--version' || argv[0] === '-V' ? '--version' : positional.slice(0, 2).join(' ');

function out(text) {
  process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}
function fail(code, text) {
  process.stderr.write(text.endsWith('\n') ? text : text + '\n');
  process.exit(code);
}

// ---- injected failures ----
const spec = ctl.fail?.[key];
if (spec) {
  const consumedPath = path.join(dir, 'fail-consumed.json');
  let consumed = {};
  try {
    consumed = JSON.parse(fs.readFileSync(consumedPath, 'utf8'));
  } catch {}
  if (spec.mode === 'always' || !consumed[key]) {
    if (spec.mode !== 'always') {
      consumed[key] = (consumed[key] ?? 0) + 1;
      fs.writeFileSync(consumedPath, JSON.stringify(consumed));
    }
    fs.appendFileSync(callsLog, `${stamp()} FAILED ${key}\n`);
    fail(spec.exitCode ?? 1, spec.stderr ?? `fake failure: ${key}`);
  }
}

const version = versionOf(ctl);
if (key === '--version') {
  out(`OpenClaw ${version} (fake000)`);
  process.exit(0);
}

const st = resolveState();
if (st.configError) fail(1, `Invalid config at ${st.configPath}: ${st.configError}`);

// ---- gateway lifecycle ----

async function stopGateway() {
  const pid = runningGatewayPid();
  if (!pid) return false;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 20_000;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      break;
    }
    await sleep(25);
  }
  fs.rmSync(pidFile(), { force: true });
  return true;
}

function startGateway() {
  const pid = runningGatewayPid();
  if (pid) return { started: false, pid };
  const outFd = fs.openSync(path.join(dir, 'gateway.out.log'), 'a');
  const child = spawn(process.execPath, [GATEWAY], {
    detached: true,
    stdio: ['ignore', outFd, outFd],
    env: process.env,
  });
  child.unref();
  fs.writeFileSync(pidFile(), String(child.pid));
  fs.closeSync(outFd);
  return { started: true, pid: child.pid };
}

/**
 * ctl.onStop (one shot): another writer edits the store while the gateway is down, e.g.
 * `{ "writeFile": { "path": "<abs>", "content": "<text>", "mode": 384 } }`. Consumed (removed from
 * ctl.json) once applied, so later stops leave the store alone.
 */
function applyOnStop() {
  const spec = readCtl().onStop;
  if (!spec) return;
  const w = spec.writeFile;
  if (w?.path && typeof w.content === 'string') {
    const tmp = `${w.path}.onstop.${process.pid}.tmp`;
    fs.writeFileSync(tmp, w.content, { mode: w.mode ?? 0o600 });
    fs.renameSync(tmp, w.path);
    fs.chmodSync(w.path, w.mode ?? 0o600);
  }
  const { onStop, ...rest } = readCtl();
  fs.writeFileSync(path.join(dir, 'ctl.json'), JSON.stringify(rest, null, 2));
}

async function gateway(sub) {
  switch (sub) {
    case 'status': {
      const pid = runningGatewayPid();
      const busy = await portBusy(st.port);
      const ok = busy && (await healthz(st.port));
      const status = {
        service: { loaded: true, label: 'fake', runtime: { status: pid ? 'running' : 'stopped', ...(pid ? { pid } : {}) } },
        config: { path: st.configPath },
        port: { port: st.port, status: busy ? 'busy' : 'free', listeners: busy && pid ? [{ pid }] : [] },
        rpc: { ok, url: `ws://127.0.0.1:${st.port}` },
        logFile: st.logFile,
      };
      if (json) out(JSON.stringify(status, null, 2));
      else
        out(
          `Service: fake (loaded)\nRuntime: ${pid ? `running (pid ${pid})` : 'stopped'}\n` +
            `Port ${st.port}: ${busy ? 'busy' : 'free'}\nRPC probe: ${ok ? 'ok' : 'failed'}\nFile logs: ${st.logFile}`,
        );
      return 0;
    }
    case 'stop': {
      const stopped = await stopGateway();
      applyOnStop();
      if (json) out(JSON.stringify({ ok: true, action: 'stop', result: stopped ? 'stopped' : 'not-running' }));
      else out(stopped ? 'Stopped gateway' : 'Gateway service not loaded.');
      return 0;
    }
    case 'start': {
      const r = startGateway();
      if (json) out(JSON.stringify({ ok: true, action: 'start', result: r.started ? 'started' : 'already-running', pid: r.pid }));
      else out(r.started ? `Started gateway (pid ${r.pid})` : `Gateway already running (pid ${r.pid})`);
      return 0;
    }
    case 'restart': {
      await stopGateway();
      const r = startGateway();
      if (json) out(JSON.stringify({ ok: true, action: 'restart', result: 'restarted', pid: r.pid }));
      else out(`Restarted gateway (pid ${r.pid})`);
      return 0;
    }
    case 'run': {
      const pid = runningGatewayPid();
      if (pid) fail(1, `Gateway already running (pid ${pid})`);
      process.env.FAKE_GATEWAY_FOREGROUND = '1';
      fs.writeFileSync(pidFile(), String(process.pid));
      await import('./gateway.mjs');
      return undefined; // the gateway keeps the process alive
    }
    default:
      fail(2, 'unknown command');
  }
}

// ---- devices ----

async function requireGateway() {
  if (!(await healthz(st.port, 1000))) fail(1, 'gateway closed (1006 abnormal closure (no close frame))');
}

function summarizeTokens(tokens) {
  return Object.values(tokens ?? {}).map((t) => ({
    role: t.role,
    scopes: t.scopes ?? [],
    createdAtMs: t.createdAtMs,
    ...(t.rotatedAtMs !== undefined ? { rotatedAtMs: t.rotatedAtMs } : {}),
    ...(t.revokedAtMs !== undefined ? { revokedAtMs: t.revokedAtMs } : {}),
  }));
}

function approveInto(state, requestId, now) {
  const p = state.pending[requestId];
  const role = p.role ?? 'operator';
  const existing = state.paired[p.deviceId];
  const roles = union(existing?.roles ?? (existing?.role ? [existing.role] : []), p.roles ?? [role]);
  const approvedScopes = union(existing?.approvedScopes ?? existing?.scopes ?? [], p.scopes ?? []);
  const old = existing?.tokens?.[role];
  const tokens = {
    ...(existing?.tokens ?? {}),
    [role]: {
      token: newToken(),
      role,
      scopes: union(old && !old.revokedAtMs ? old.scopes : [], p.scopes ?? []),
      createdAtMs: old?.createdAtMs ?? now,
      rotatedAtMs: now,
    },
  };
  const base = existing ?? {
    deviceId: p.deviceId,
    publicKey: p.publicKey,
    displayName: p.displayName,
    platform: p.platform,
    clientId: p.clientId,
    clientMode: p.clientMode,
    createdAtMs: now,
  };
  state.paired[p.deviceId] = { ...base, role, roles, scopes: approvedScopes, approvedScopes, tokens, approvedAtMs: now };
  delete state.pending[requestId];
  return { deviceId: p.deviceId, role, write: ['paired', 'pending'] };
}

async function devices(sub) {
  if (sub !== 'list' && sub !== 'approve') fail(2, 'unknown command');
  await requireGateway();
  const store = await openStore(storeKindOf(ctl), st);
  try {
    if (sub === 'list') {
      const { paired, pending } = store.load();
      const list = {
        pending: Object.values(pruneExpired(pending)).map(({ refreshedAtMs, ...p }) => p),
        paired: Object.values(paired).map((d) => ({ ...d, tokens: summarizeTokens(d.tokens) })),
      };
      if (json) out(JSON.stringify(list, null, 2));
      else {
        out(`Pending (${list.pending.length})`);
        for (const p of list.pending) out(`  ${p.requestId}  ${p.deviceId}  ${p.role ?? ''}  ${(p.scopes ?? []).join(',')}`);
        out(`Paired (${list.paired.length})`);
        for (const d of list.paired) out(`  ${d.deviceId}  ${(d.roles ?? []).join(',')}  ${(d.approvedScopes ?? d.scopes ?? []).join(',')}`);
      }
      return 0;
    }
    const requestId = positional[2];
    if (!requestId || flags.has('--latest')) {
      const latest = Object.values(pruneExpired(store.load().pending)).sort((a, b) => b.ts - a.ts)[0];
      if (!latest) fail(1, 'No pending device requests.');
      out(`Latest pending request: ${latest.requestId} device=${latest.deviceId} scopes=${(latest.scopes ?? []).join(',')}`);
      out(`Approve this exact request with: openclaw devices approve ${latest.requestId}`);
      return 1;
    }
    const now = Date.now();
    const r = store.mutate((state) => {
      pruneExpired(state.pending, now);
      return state.pending[requestId] ? approveInto(state, requestId, now) : undefined;
    });
    if (!r) fail(1, `No pending device request matches ${requestId}`);
    log(st.logFile, { text: `device pairing approved device=${r.deviceId} role=${r.role}`, echo: false });
    if (json) out(JSON.stringify({ ok: true, requestId, deviceId: r.deviceId, role: r.role }));
    else out(`Approved ${r.deviceId} (${r.role}) for request ${requestId}`);
    return 0;
  } finally {
    store.close();
  }
}

let code;
if (positional[0] === 'gateway') code = await gateway(positional[1]);
else if (positional[0] === 'devices') code = await devices(positional[1]);
else fail(2, 'unknown command');
if (code !== undefined) process.exit(code);
