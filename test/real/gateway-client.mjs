/**
 * The package's own GatewayClient class, found per version without hard-coding a hashed chunk name:
 *   - 2026.3.x and later export it as `openclaw/plugin-sdk/gateway-runtime` (dist/plugin-sdk/gateway-runtime.js);
 *   - 2026.2.x has no such export: the class sits in a dist chunk (`var GatewayClient = class {`) that
 *     re-exports it under a one- or two-letter alias. Several chunks may carry a copy; the one chosen
 *     must not import `./entry.js` (importing the CLI entry would run the CLI), and is verified to be a
 *     class with start/stop/request before it is used.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const looksLikeClient = (C) => typeof C === 'function' && ['start', 'stop', 'request'].every((m) => typeof C.prototype?.[m] === 'function');

/** @returns {Promise<{ GatewayClient: any, source: string }>} */
export async function loadGatewayClient(pkgDir) {
  const sdk = path.join(pkgDir, 'dist', 'plugin-sdk', 'gateway-runtime.js');
  if (fs.existsSync(sdk)) {
    const m = await import(pathToFileURL(sdk).href);
    if (looksLikeClient(m.GatewayClient)) return { GatewayClient: m.GatewayClient, source: 'dist/plugin-sdk/gateway-runtime.js' };
  }
  const dist = path.join(pkgDir, 'dist');
  const candidates = [];
  for (const name of fs.readdirSync(dist)) {
    if (!name.endsWith('.js')) continue;
    const file = path.join(dist, name);
    const text = fs.readFileSync(file, 'utf8');
    if (!/\bvar GatewayClient = class\b|\bclass GatewayClient\b/.test(text)) continue;
    const alias = /\bGatewayClient as ([A-Za-z_$][\w$]*)\b/.exec(text)?.[1];
    if (!alias) continue;
    const importsEntry = /from\s+["']\.\/entry\.js["']/.test(text);
    candidates.push({ name, file, alias, importsEntry, size: text.length, client: name.startsWith('client-') });
  }
  candidates.sort((a, b) => Number(a.importsEntry) - Number(b.importsEntry) || Number(b.client) - Number(a.client) || a.size - b.size);
  for (const c of candidates) {
    if (c.importsEntry) break; // never import the CLI entry
    const m = await import(pathToFileURL(c.file).href);
    if (looksLikeClient(m[c.alias])) return { GatewayClient: m[c.alias], source: `dist/${c.name} (export ${c.alias})` };
  }
  throw new Error(`no usable GatewayClient in ${pkgDir} (plugin-sdk/gateway-runtime.js missing; chunk candidates: ${candidates.map((c) => `${c.name}${c.importsEntry ? ' [imports entry.js]' : ''}`).join(', ') || 'none'})`);
}

/**
 * A device identity of its own (not the state dir's), kept in `file` and created on first use:
 * an Ed25519 keypair, deviceId = sha256 hex of the raw 32-byte public key (as OpenClaw derives it).
 */
export function deviceIdentityIn(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    /* first use */
  }
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
  const raw = publicKey.export({ type: 'spki', format: 'der' }).subarray(-32);
  const id = {
    deviceId: crypto.createHash('sha256').update(raw).digest('hex'),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, JSON.stringify(id, null, 2), { mode: 0o600 });
  return id;
}
