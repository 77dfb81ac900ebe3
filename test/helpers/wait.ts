/** Polling helpers (tests never sleep a fixed time) and small probes of the fake gateway. */
import fs from 'node:fs';
import http from 'node:http';

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Describes what was awaited, for the timeout error. */
  what?: string;
}

/** Poll `fn` until it returns a truthy value (which is returned); throws after timeoutMs (default 10 s). */
export async function waitFor<T>(fn: () => T | Promise<T>, opts: WaitOptions = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > deadline) {
      const why = lastErr instanceof Error ? ` (last error: ${lastErr.message})` : '';
      throw new Error(`timed out waiting for ${opts.what ?? 'condition'}${why}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 25));
  }
}

/** GET /healthz on 127.0.0.1:port → true when it answers {ok:true}. */
export function healthz(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/healthz', timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => {
        try {
          resolve(res.statusCode === 200 && (JSON.parse(body) as { ok?: unknown }).ok === true);
        } catch {
          resolve(false);
        }
      });
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/** Ask the running fake gateway to simulate one more sub-agent connect. */
export function agentCall(
  port: number,
  scopes?: string[],
): Promise<{ ok: boolean; reason?: string; deviceId?: string; requestId?: string }> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify(scopes ? { scopes } : {});
    const req = http.request(
      { host: '127.0.0.1', port, path: '/__fake/agent-call', method: 'POST', headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c));
        res.on('end', () => {
          try {
            resolve(JSON.parse(text) as { ok: boolean });
          } catch (err) {
            reject(err as Error);
          }
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Lines of a log file (empty when missing). */
export function readLines(file: string): string[] {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/** The human text of OpenClaw JSON log lines ("2" when "1" is a meta object), console lines as-is. */
export function logTexts(file: string): string[] {
  return readLines(file).map((l) => {
    try {
      const o = JSON.parse(l) as Record<string, unknown>;
      const t = typeof o['2'] === 'string' ? o['2'] : typeof o['1'] === 'string' ? o['1'] : o['0'];
      return String(t);
    } catch {
      return l;
    }
  });
}

/** The fake gateway's sub-agent spawn (sessions.patch with operator.admin, then agent with operator.write). */
export async function spawnCall(port: number): Promise<{ ok: boolean; refusedAt?: string; error?: string }> {
  const res = await fetch(`http://127.0.0.1:${port}/__fake/spawn`, { method: 'POST' });
  return (await res.json()) as { ok: boolean; refusedAt?: string; error?: string };
}
