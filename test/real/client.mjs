/**
 * One connection to a REAL gateway through the package's own GatewayClient (found per version by
 * gateway-client.mjs: the plugin-sdk export, or 2.x's dist chunk), presenting this state dir's own device
 * identity (the one the CLI and the gateway's sub-agents share), asking for the given operator scopes,
 * then one RPC. Prints one JSON line: { ok, auth?, error?, details?, code?, closeCode? }. Exit 0 either way.
 *
 * usage: node client.mjs <pkgDir> <port> <json|sqlite> <scopes,comma,separated> [method]
 * env:   E2E_PARAMS (the method's params as JSON, default {}),
 *        E2E_NO_IDENTITY=1 (no device identity at all: shared-token auth only, as the local CLI does on ≥ 7.x),
 *        E2E_IDENTITY_FILE (another device's identity {deviceId, publicKeyPem, privateKeyPem}, created
 *        when missing, instead of the state dir's own: run it with its own OPENCLAW_STATE_DIR),
 *        E2E_TOKEN (the shared gateway token) or E2E_DEVICE_TOKEN (a device token instead),
 *        E2E_CLIENT / E2E_MODE (client id and mode),
 *        OPENCLAW_STATE_DIR / HOME (the gateway's: the client caches its device token there, as real clients do)
 */
import fs from 'node:fs';
import path from 'node:path';
import { deviceIdentityIn, loadGatewayClient } from './gateway-client.mjs';

const [pkgDir, port, store, scopesCsv, method = 'health'] = process.argv.slice(2);
const stateDir = process.env.OPENCLAW_STATE_DIR;
if (!pkgDir || !port || !store || scopesCsv === undefined || !stateDir) {
  process.stderr.write('usage: node client.mjs <pkgDir> <port> <json|sqlite> <scopes> [method] (OPENCLAW_STATE_DIR set)\n');
  process.exit(2);
}

/**
 * The state dir's own identity: identity/device.json (JSON eras) or the `primary` device_identities row
 * (SQLite). Undefined when the JSON file does not exist yet (2.x creates it lazily, on the first
 * gateway call): the client is then built without one and OpenClaw's own GatewayClient creates it
 * (`loadOrCreateDeviceIdentity()`), exactly as the CLI or the gateway's first internal call would.
 */
async function loadIdentity() {
  if (process.env.E2E_NO_IDENTITY) return null;
  if (process.env.E2E_IDENTITY_FILE) return deviceIdentityIn(process.env.E2E_IDENTITY_FILE);
  if (store === 'json') {
    const file = path.join(stateDir, 'identity', 'device.json');
    if (!fs.existsSync(file)) return undefined;
    const id = JSON.parse(fs.readFileSync(file, 'utf8'));
    return { deviceId: id.deviceId, publicKeyPem: id.publicKeyPem, privateKeyPem: id.privateKeyPem };
  }
  const { DatabaseSync } = await import('node:sqlite');
  const db = new DatabaseSync(path.join(stateDir, 'state', 'openclaw.sqlite'), { readOnly: true });
  try {
    const row = db.prepare("SELECT device_id, public_key_pem, private_key_pem FROM device_identities WHERE identity_key = 'primary'").get();
    if (!row) throw new Error('no primary device identity in state/openclaw.sqlite yet');
    return { deviceId: String(row.device_id), publicKeyPem: String(row.public_key_pem), privateKeyPem: String(row.private_key_pem) };
  } finally {
    db.close();
  }
}

const { GatewayClient } = await loadGatewayClient(pkgDir);
const params = JSON.parse(process.env.E2E_PARAMS || '{}');
let identity = await loadIdentity();
const scopes = scopesCsv.split(',').filter(Boolean);

const errorJson = (phase, e) => ({
  ok: false,
  phase,
  deviceId: identity.deviceId,
  error: String(e?.message ?? e),
  code: e?.gatewayCode ?? e?.code ?? null,
  details: e?.details ?? null,
});

let client;
const result = await new Promise((resolve) => {
  let settled = false;
  const done = (r) => {
    if (!settled) {
      settled = true;
      resolve(r);
    }
  };
  client = new GatewayClient({
    url: `ws://127.0.0.1:${port}`,
    // E2E_DEVICE_TOKEN: authenticate with a device token only (no shared token), e.g. a stale one.
    ...(process.env.E2E_DEVICE_TOKEN ? { deviceToken: process.env.E2E_DEVICE_TOKEN } : { token: process.env.E2E_TOKEN }),
    clientName: process.env.E2E_CLIENT || 'cli',
    mode: process.env.E2E_MODE || 'cli',
    clientVersion: 'clawfix-e2e',
    role: 'operator',
    scopes,
    ...(identity ? { deviceIdentity: identity } : identity === null ? { deviceIdentity: null } : {}),
    onHelloOk: async (hello) => {
      try {
        const response = await client.request(method, params);
        done({ ok: true, deviceId: identity.deviceId, auth: hello?.auth ? { role: hello.auth.role, scopes: hello.auth.scopes ?? [] } : null, ...(process.env.E2E_SHOW_RESPONSE ? { response } : {}) });
      } catch (e) {
        done(errorJson('request', e));
      }
    },
    onConnectError: (e) => done(errorJson('connect', e)),
    onClose: (code, reason) => done({ ok: false, phase: 'close', deviceId: identity.deviceId, closeCode: code, error: String(reason) }),
  });
  if (identity === null) identity = { deviceId: null };
  else if (!identity) {
    const created = client.opts?.deviceIdentity ?? JSON.parse(fs.readFileSync(path.join(stateDir, 'identity', 'device.json'), 'utf8'));
    identity = { deviceId: created.deviceId };
  }
  client.start();
  // 90 s: after a chat message a 4.x–7.x gateway builds its model catalog with its event loop blocked
  // (20–80 s on two busy cores), and a connection made then waits for it.
  setTimeout(() => done({ ok: false, phase: 'timeout', deviceId: identity.deviceId, error: 'no answer within 90 s' }), 90_000).unref();
});
try {
  client?.stop();
} catch {
  /* already closed */
}
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
