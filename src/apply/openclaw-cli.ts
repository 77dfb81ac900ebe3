/**
 * Running the `openclaw` CLI through execa for the gateway control: one timeout, cancellation by the
 * interrupt signal, the last output kept (what `gateway stop` said decides whether a service owns the
 * gateway), failures as readable ClawfixErrors.
 */
import { ClawfixError } from '../util/errors.js';

export interface OpenclawCli {
  /** stdout on exit 0; throws otherwise (a timeout's error has `timedOut: true`). */
  run(args: string[], what: string, signal?: AbortSignal): Promise<string>;
  /** Start loading the process runner now, so a later run does not wait for it (it loads while other I/O waits). */
  warm(): void;
  /** stdout + stderr of the last call, even a failed one. */
  lastOutput(): string;
  readonly executable: string | undefined;
}

export function openclawCli(o: { executable: string | undefined; args: string[]; env: Record<string, string | undefined>; timeoutMs: number }): OpenclawCli {
  let last = '';
  return {
    executable: o.executable,
    lastOutput: () => last,
    warm: () => void import('execa').catch(() => undefined),
    async run(args, what, signal) {
      last = '';
      if (!o.executable) throw new ClawfixError(`cannot ${what}: openclaw is not on PATH`, { hint: 'pass --openclaw PATH' });
      const { execa } = await import('execa');
      const r = await execa(o.executable, [...o.args, ...args], {
        env: o.env,
        extendEnv: false,
        reject: false,
        stdin: 'ignore',
        timeout: o.timeoutMs,
        ...(signal ? { cancelSignal: signal } : {}),
      });
      if (r.isCanceled) throw Object.assign(new Error('interrupted'), { name: 'AbortError' });
      last = `${String(r.stdout)}\n${String(r.stderr)}`;
      if (r.timedOut) {
        throw Object.assign(new ClawfixError(`\`openclaw ${args.join(' ')}\` did not finish within ${Math.round(o.timeoutMs / 1000)} s`), { timedOut: true });
      }
      if (r.exitCode !== 0) {
        const msg = (String(r.stderr || r.stdout).trim().split('\n').pop() ?? '').slice(0, 300);
        throw new ClawfixError(`\`openclaw ${args.join(' ')}\` failed (exit ${r.exitCode ?? r.signal})${msg ? `: ${msg}` : ''}`);
      }
      return String(r.stdout);
    },
  };
}
