/**
 * Is the gateway up? A loopback GET /healthz answers in milliseconds (OpenClaw ≥ 3.x); the slow
 * `openclaw gateway status` is kept off this path.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pidAlive } from '../util/pid.js';

/** running: something answers on the port; live: /healthz said 2xx (ready to serve). */
export type ProbeResult = { running: boolean | null; live: boolean; probe: 'healthz' | 'tcp' };

export function probeGateway(port: number, timeoutMs = 1000): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/healthz', timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      // 2.x gateways have no /healthz (404) but are up; 503 means still starting.
      resolve({ running: true, live: code !== 503 && code !== 0, probe: 'healthz' });
    });
    req.on('timeout', () => {
      req.destroy();
      resolve({ running: null, live: false, probe: 'tcp' });
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') resolve({ running: false, live: false, probe: 'tcp' });
      else if (err.code === 'ECONNRESET' || err.code === 'HPE_INVALID_CONSTANT') resolve({ running: true, live: false, probe: 'tcp' });
      else resolve({ running: null, live: false, probe: 'tcp' });
    });
  });
}

export interface GatewayLock {
  pid: number;
  createdAtMs?: number;
  configPath?: string;
  path: string;
}


/** OpenClaw's gateway lock file: /tmp/openclaw-<uid>/gateway.<sha256(configPath)[:8]>.lock (pid checked). */
export async function readGatewayLock(configPath: string): Promise<GatewayLock | undefined> {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  const hash = createHash('sha256').update(configPath).digest('hex').slice(0, 8);
  const candidates = [path.join('/tmp', `openclaw-${uid}`, `gateway.${hash}.lock`), path.join(os.tmpdir(), `openclaw-${uid}`, `gateway.${hash}.lock`)];
  for (const p of [...new Set(candidates)]) {
    try {
      const data = JSON.parse(await fs.readFile(p, 'utf8')) as { pid?: unknown; createdAt?: unknown; configPath?: unknown };
      if (typeof data.pid !== 'number' || !pidAlive(data.pid)) continue;
      const created = typeof data.createdAt === 'string' ? Date.parse(data.createdAt) : typeof data.createdAt === 'number' ? data.createdAt : NaN;
      return {
        pid: data.pid,
        path: p,
        ...(Number.isFinite(created) ? { createdAtMs: created } : {}),
        ...(typeof data.configPath === 'string' ? { configPath: data.configPath } : {}),
      };
    } catch {
      /* absent or unreadable */
    }
  }
  return undefined;
}
