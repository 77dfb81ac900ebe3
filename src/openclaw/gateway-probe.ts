/**
 * Is the gateway up? A loopback GET /healthz answers in milliseconds (OpenClaw ≥ 3.x); the slow
 * `openclaw gateway status` is kept off this path.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

export type ProbeResult = { running: boolean | null; probe: 'healthz' | 'tcp' };

export function probeGateway(port: number, timeoutMs = 1000): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/healthz', timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      resolve({ running: true, probe: 'healthz' });
    });
    req.on('timeout', () => {
      req.destroy();
      resolve({ running: null, probe: 'tcp' });
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') resolve({ running: false, probe: 'tcp' });
      else if (err.code === 'ECONNRESET' || err.code === 'HPE_INVALID_CONSTANT') resolve({ running: true, probe: 'tcp' });
      else resolve({ running: null, probe: 'tcp' });
    });
  });
}

export interface GatewayLock {
  pid: number;
  createdAtMs?: number;
  configPath?: string;
  path: string;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
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
