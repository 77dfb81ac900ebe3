/**
 * A big 7.35 pending store, as users' reports describe it: tens of thousands of superseded pairing
 * requests (a client retrying in a loop while nobody approved), most from this machine's own identity,
 * some from other devices. Plain JS so that both the tests (test/bigstore.test.ts) and the benchmark
 * (bench/bigstore.mjs) build the very same store.
 *
 * Every added request is older than the newest request already in the file (the one the refused
 * sub-agent left), so that one stays the device's live, newest request; the added ones are spread over
 * the `spreadMs` before it (default 60 s: all still inside OpenClaw's 5-minute TTL, i.e. superseded,
 * not expired). 40 000 requests make a file of about 20 MB, written the way OpenClaw writes it
 * (2-space JSON, no trailing newline, mode 0600).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';

/**
 * Adds `count` superseded requests to `pendingPath`. `local`: { deviceId, publicKey }, the device most
 * requests come from, asking `scopes`; `others`: [{ deviceId, publicKey, scopes? }], which receive
 * `otherShare` (default 0.1) of them, interleaved, round robin. Returns { bytes, localCount, otherCount }.
 */
export function addSupersededRequests(pendingPath, { local, others = [], count = 40_000, otherShare = 0.1, scopes = ['operator.read', 'operator.write'], spreadMs = 60_000, now = Date.now() }) {
  const pending = JSON.parse(fs.readFileSync(pendingPath, 'utf8'));
  const newest = Math.min(now, ...Object.values(pending).map((p) => p.ts ?? now));
  // every k-th request is another device's (round robin), interleaved the way retry loops write them
  const every = others.length && otherShare > 0 ? Math.max(1, Math.round(1 / otherShare)) : 0;
  let otherCount = 0;
  const out = {};
  for (let i = 0; i < count; i++) {
    const other = every && i % every === every - 1 ? others[otherCount++ % others.length] : undefined;
    const dev = other ?? local;
    const requestId = crypto.randomUUID();
    out[requestId] = {
      requestId,
      deviceId: dev.deviceId,
      publicKey: dev.publicKey,
      displayName: 'gateway:agent',
      platform: 'linux',
      clientId: 'gateway-client',
      clientMode: 'backend',
      role: 'operator',
      roles: ['operator'],
      scopes: other ? (other.scopes ?? ['operator.read']) : scopes,
      silent: false,
      isRepair: true,
      ts: newest - 1 - Math.floor(((count - i) / count) * spreadMs),
    };
  }
  // Oldest first in the file, then the requests that were there (the newest), like a real append log.
  const text = JSON.stringify({ ...out, ...pending }, null, 2);
  fs.writeFileSync(pendingPath, text, { mode: 0o600 });
  fs.chmodSync(pendingPath, 0o600);
  return { bytes: Buffer.byteLength(text), localCount: count - otherCount, otherCount };
}
