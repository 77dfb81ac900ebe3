/**
 * Polling with exponential backoff (10 ms doubling to a 25 ms cap) instead of fixed sleeps. The cap is
 * how late a change can be seen: a gateway that comes up is noticed within 25 ms, ~12 ms on average
 * (a 200 ms cap made a repair wait ~100 ms longer on average, measured in bench/repair.mjs, whose bare
 * baseline polls every 10 ms); a probe is a loopback connection of well under a millisecond of CPU,
 * so 40 a second while OpenClaw takes 9–30 s to start costs next to nothing.
 */

export interface PollOptions {
  timeoutMs: number;
  initialMs?: number;
  maxDelayMs?: number;
  signal?: AbortSignal;
}

export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Calls `check` until it returns true; resolves true, or false on timeout. */
export async function pollUntil(check: () => Promise<boolean>, o: PollOptions): Promise<boolean> {
  const deadline = Date.now() + o.timeoutMs;
  let wait = o.initialMs ?? 10;
  for (;;) {
    if (await check()) return true;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    await delay(Math.min(wait, left), o.signal);
    wait = Math.min(wait * 2, o.maxDelayMs ?? 25);
  }
}
