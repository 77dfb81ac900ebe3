// Fake OpenClaw gateway daemon. Listens on 127.0.0.1:<port> (GET /healthz), writes OpenClaw-format
// log lines, and (ctl.subagentScopes) simulates one sub-agent connect after it starts listening:
// refused with a scope-upgrade audit line + pending request, or accepted. POST /__fake/agent-call
// repeats the simulated connect on demand (body: {"scopes": [...]}, optional).
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import {
  log,
  openStore,
  pidFile,
  pruneExpired,
  readCtl,
  readGatewayPid,
  resolveState,
  scopesAllow,
  versionOf,
  sleep,
  sortedList,
  storeKindOf,
  union,
} from './lib.mjs';

const ctl = readCtl();
const st = resolveState();
const kind = storeKindOf(ctl);
const port = st.port;
let server;
let store;

fs.writeFileSync(pidFile(), String(process.pid));
// OpenClaw's own gateway lock: /tmp/openclaw-<uid>/gateway.<sha256(configPath)[:8]>.lock
const lockDir = `/tmp/openclaw-${process.getuid?.() ?? 0}`;
const lockFile = `${lockDir}/gateway.${crypto.createHash('sha256').update(st.configPath).digest('hex').slice(0, 8)}.lock`;
fs.mkdirSync(lockDir, { recursive: true });
fs.writeFileSync(lockFile, JSON.stringify({ pid: process.pid, createdAt: new Date().toISOString(), configPath: st.configPath, startTime: Date.now() }));
process.on('exit', () => {
  try {
    if (readGatewayPid() === process.pid) fs.rmSync(pidFile(), { force: true });
    fs.rmSync(lockFile, { force: true });
  } catch {}
});

async function shutdown(signal) {
  log(st.logFile, { text: `signal ${signal} received` });
  await sleep(readCtl().stopDelayMs ?? 0);
  try {
    store?.close();
  } catch {}
  server?.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

const REQUIREMENT = {
  'not-paired': 'device is not approved yet',
  'role-upgrade': 'device is asking for a higher role than currently approved',
  'scope-upgrade': 'device is asking for more scopes than currently approved',
};

/** One sub-agent connect (clientId gateway-client, mode backend, shared-token auth) asking `requested`. */
async function agentConnect(requested, clientId = 'gateway-client') {
  store ??= await openStore(kind, st);
  const identity = store.identity();
  if (!identity) {
    log(st.logFile, { subsystem: null, level: 'ERROR', text: 'gateway connect failed: Error: device identity missing' });
    return { ok: false, reason: 'no-identity' };
  }
  const { deviceId } = identity;
  const dev = store.load().paired[deviceId];
  const roles = dev ? (dev.roles ?? (dev.role ? [dev.role] : [])) : [];
  const approved = dev ? (dev.approvedScopes ?? dev.scopes ?? []) : [];
  const token = dev?.tokens?.operator;
  let reason;
  if (!dev || (dev.publicKey && identity.publicKey && dev.publicKey !== identity.publicKey)) reason = 'not-paired';
  else if (!roles.includes('operator') || !token || token.revokedAtMs) reason = 'role-upgrade';
  else if (!scopesAllow(requested, approved, versionOf(readCtl()))) reason = 'scope-upgrade';

  if (!reason) {
    log(st.logFile, { text: `agent call ok device=${deviceId} client=${clientId}` });
    if (readCtl().touchOnConnect) {
      store.mutate((s) => {
        s.paired[deviceId] = { ...s.paired[deviceId], lastSeenAtMs: Date.now(), lastSeenReason: 'connect' };
        return { write: ['paired'] };
      });
    }
    return { ok: true, deviceId };
  }

  const conn = crypto.randomUUID();
  const requestId = crypto.randomUUID();
  if (reason !== 'not-paired') {
    log(st.logFile, {
      level: 'WARN',
      text:
        `security audit: device access upgrade requested reason=${reason} device=${deviceId} ip=unknown-ip auth=token ` +
        `roleFrom=${sortedList(roles)} roleTo=operator scopesFrom=${sortedList(approved)} ` +
        `scopesTo=${sortedList(union(requested, approved))} client=${clientId} conn=${conn}`,
    });
  }
  const now = Date.now();
  store.mutate((s) => {
    pruneExpired(s.pending, now);
    let scopes = [...requested];
    for (const [id, p] of Object.entries(s.pending)) {
      if (p.deviceId !== deviceId) continue; // supersede this device's older request (7.x)
      scopes = union(p.scopes, scopes);
      delete s.pending[id];
    }
    s.pending[requestId] = {
      requestId,
      deviceId,
      publicKey: dev?.publicKey ?? identity.publicKey,
      displayName: 'gateway:agent',
      platform: 'linux',
      clientId,
      clientMode: 'backend',
      role: 'operator',
      roles: ['operator'],
      scopes,
      silent: false,
      isRepair: Boolean(dev),
      ts: now,
    };
    return { write: ['pending'] };
  });
  log(st.logFile, {
    subsystem: 'gateway/ws',
    level: 'WARN',
    meta: {
      cause: 'pairing-required',
      handshake: 'failed',
      durationMs: 4,
      lastFrameType: 'req',
      lastFrameMethod: 'connect',
      host: `127.0.0.1:${port}`,
      deviceId,
      requestId,
      reason,
    },
    text:
      `closed before connect conn=${conn} remote=127.0.0.1 fwd=n/a origin=n/a host=127.0.0.1:${port} ua=n/a ` +
      `code=1008 reason=pairing required: ${REQUIREMENT[reason]} (requestId: ${requestId})`,
  });
  return { ok: false, reason, deviceId, requestId };
}

let ready = false;

async function handle(req, res) {
  const send = (status, body) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (req.method === 'GET' && req.url === '/healthz') {
    if (!ready) return send(503, { ok: false, status: 'starting' });
    return send(200, { ok: true, status: 'live' });
  }
  if (req.method === 'POST' && req.url === '/__fake/agent-call') {
    let body = '';
    for await (const chunk of req) body += chunk;
    const scopes = (body && JSON.parse(body).scopes) ?? readCtl().subagentScopes ?? ['operator.write'];
    return send(200, await agentConnect(scopes));
  }
  if (req.method === 'POST' && req.url === '/__fake/spawn') {
    // A sub-agent spawn as 2026.2.19–4.24 make it: two calls with the state dir's own identity,
    // sessions.patch (operator.admin) then agent (operator.write); the first refusal ends it.
    for (const [call, scope] of [['sessions.patch', 'operator.admin'], ['agent', 'operator.write']]) {
      const r = await agentConnect([scope]);
      if (!r.ok) return send(200, { ok: false, refusedAt: call, error: `Spawn failed: gateway closed (1008): pairing required`, ...r });
    }
    return send(200, { ok: true });
  }
  send(404, { ok: false, error: 'not found' });
}

log(st.logFile, { text: `log file: ${st.logFile}` });
if (st.configError) {
  log(st.logFile, { level: 'ERROR', text: `Invalid config at ${st.configPath}: ${st.configError}` });
  process.exit(1);
}
if (ctl.crashOnStart) {
  log(st.logFile, { level: 'ERROR', text: 'Gateway failed to start: fake crash on start (crashOnStart)' });
  setTimeout(() => process.exit(1), 100);
} else {
  await sleep(ctl.startDelayMs ?? 0);
  if (kind === 'sqlite' && fs.existsSync(st.sqlite)) store = await openStore(kind, st); // held open, like the real one
  server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      log(st.logFile, { level: 'ERROR', text: `request failed: ${err.message}` });
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.on('error', (err) => {
    const text =
      err.code === 'EADDRINUSE'
        ? `Gateway failed to start: another gateway instance is already listening on ws://127.0.0.1:${port}`
        : `Gateway failed to start: ${err.message}`;
    log(st.logFile, { level: 'ERROR', text });
    process.exit(1);
  });
  // The simulated sub-agent connect runs before /healthz answers, so a caller that waits for the
  // gateway to be up always sees its outcome in the log (deterministic tests, no sleeps).
  server.listen(port, '127.0.0.1', async () => {
    log(st.logFile, { text: `listening on ws://127.0.0.1:${port} (PID ${process.pid})` });
    if (ctl.subagentScopes?.length) {
      await agentConnect(ctl.subagentScopes).catch((err) => {
        log(st.logFile, { level: 'ERROR', text: `gateway connect failed: ${err.message}` });
      });
    }
    ready = true;
  });
}
