/**
 * The REAL sub-agent spawn, without a model: a chat operator sends `/subagents spawn main say hi` to the
 * main session through `chat.send`; the gateway runs the command itself (no model involved) and, to
 * spawn, calls itself over WebSocket with the state dir's own identity (`gateway-client`/`backend`):
 * `sessions.patch` (operator.admin from 2026.4.1), then `agent` (operator.write). Its answer comes
 * back to the sender as the command's reply in a `chat` event:
 *   accepted  `Spawned subagent main (session agent:main:subagent:<uuid>, run <8 hex>).`
 *   refused   `Spawn failed: gateway closed (1008): pairing required…`
 * ("accepted" means the child session was patched and its `agent` run was accepted; the run itself
 * then fails for want of a model, which is not what is tested.)
 *
 * The sender is a device of its own (a chat operator's: its own keypair in E2E_DRIVER_DIR, never the
 * state dir's identity), paired on first connect (a new local device is paired silently with what it
 * asks: operator.read + operator.write), and runs with its own OPENCLAW_STATE_DIR so the client's
 * token cache never touches the gateway's identity/device-auth.json.
 *
 * usage: node spawn.mjs <pkgDir> <port> [message]
 * env:   E2E_TOKEN (the shared gateway token), E2E_DRIVER_DIR (the sender's identity and state)
 * prints one JSON line: { ok, outcome: accepted|refused|other|error, reply, error?, response?, events, deviceId, ms }
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { deviceIdentityIn, loadGatewayClient } from './gateway-client.mjs';

const [pkgDir, port, message = '/subagents spawn main say hi'] = process.argv.slice(2);
const driverDir = process.env.E2E_DRIVER_DIR;
if (!pkgDir || !port || !driverDir) {
  process.stderr.write('usage: node spawn.mjs <pkgDir> <port> [message] (E2E_TOKEN, E2E_DRIVER_DIR set)\n');
  process.exit(2);
}
const SESSION = 'agent:main:main';
const t0 = Date.now();

const { GatewayClient } = await loadGatewayClient(pkgDir);
const identity = deviceIdentityIn(path.join(driverDir, 'sender-identity.json'));
const textOf = (msg) =>
  !msg ? '' : typeof msg === 'string' ? msg : typeof msg.text === 'string' ? msg.text : Array.isArray(msg.content) ? msg.content.map((c) => (typeof c === 'string' ? c : c?.text ?? '')).join('') : typeof msg.content === 'string' ? msg.content : '';

const events = [];
const closes = [];
const DEADLINE_MS = Number(process.env.E2E_SPAWN_TIMEOUT_MS || 150_000);
let client;
const result = await new Promise((resolve) => {
  let settled = false;
  let sent = false;
  let sentAt = 0;
  let response;
  const done = (r) => {
    if (settled) return;
    settled = true;
    resolve({ ...r, deviceId: identity.deviceId, response, events: events.slice(-20), ...(closes.length ? { closes } : {}), ms: Date.now() - t0 });
  };
  const classify = (reply) => (/^Spawned subagent\b/.test(reply) ? 'accepted' : /^Spawn failed\b/.test(reply) ? 'refused' : 'other');
  /** The command's reply as stored in the session (for a reply whose event this client missed). */
  const fromHistory = async () => {
    const h = await client.request('chat.history', { sessionKey: SESSION, limit: 20 });
    const last = [...(h?.messages ?? [])].reverse().find((m) => m?.role === 'assistant' && textOf(m) && (m.timestamp ?? Infinity) >= sentAt - 1000);
    return last ? textOf(last) : undefined;
  };
  client = new GatewayClient({
    url: `ws://127.0.0.1:${port}`,
    token: process.env.E2E_TOKEN,
    clientName: 'cli',
    mode: 'cli',
    clientVersion: 'clawfix-e2e-spawn',
    role: 'operator',
    scopes: ['operator.read', 'operator.write'],
    deviceIdentity: identity,
    onEvent: (evt) => {
      if (evt?.event !== 'chat' || evt.payload?.sessionKey !== SESSION) return;
      const p = evt.payload;
      const text = textOf(p.message);
      events.push({ state: p.state, text: text.slice(0, 400), ...(p.errorMessage ? { errorMessage: p.errorMessage } : {}) });
      if (p.state === 'final' && text) done({ ok: true, outcome: classify(text), reply: text });
      else if (p.state === 'error') done({ ok: true, outcome: 'error', reply: text, error: p.errorMessage ?? 'chat error' });
    },
    onHelloOk: async (hello) => {
      // The client reconnects by itself after a drop (a gateway busy loading its providers can miss
      // ticks): send the command once, and after a reconnect look for its reply in the history.
      try {
        if (!sent) {
          sent = true;
          sentAt = Date.now();
          response = await client.request('chat.send', { sessionKey: SESSION, message, idempotencyKey: crypto.randomUUID() });
        } else {
          const reply = await fromHistory();
          if (reply) done({ ok: true, outcome: classify(reply), reply, via: 'chat.history' });
        }
      } catch (e) {
        if (!response) done({ ok: false, outcome: 'error', phase: 'chat.send', error: String(e?.message ?? e), details: e?.details ?? null, auth: hello?.auth ?? null });
      }
    },
    onConnectError: (e) => {
      if (!sent) done({ ok: false, outcome: 'error', phase: 'connect', error: String(e?.message ?? e), details: e?.details ?? null });
    },
    onClose: (code, reason) => {
      closes.push({ code, reason: String(reason), afterMs: Date.now() - t0 });
      if (!sent) done({ ok: false, outcome: 'error', phase: 'close', closeCode: code, error: String(reason) });
    },
  });
  client.start();
  setTimeout(async () => {
    try {
      const reply = await fromHistory();
      if (reply) return done({ ok: true, outcome: classify(reply), reply, via: 'chat.history' });
    } catch {
      /* fall through */
    }
    done({ ok: false, outcome: 'error', phase: 'timeout', error: `no reply to the spawn command within ${DEADLINE_MS / 1000} s` });
  }, DEADLINE_MS).unref();
});
try {
  client?.stop();
} catch {
  /* already closed */
}
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
