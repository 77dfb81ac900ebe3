/**
 * Running an outside command (the `openclaw` CLI, a container runtime's CLI) on node:child_process:
 * no stdin, stdout and stderr collected as UTF-8 (bounded), a timeout and an abort signal that stop it
 * (SIGTERM, then SIGKILL if it ignores that), and a result that never throws: the caller decides what
 * an exit code, a timeout or a spawn failure means.
 *
 * This replaced execa (measured: loading execa cost 25–30 ms of every repair that runs a command, a
 * fifth of the repair's whole overhead; clawfix used none of what execa adds beyond this file).
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface CommandOptions {
  /** The child's complete environment (default: this process's). */
  env?: Readonly<Record<string, string | undefined>>;
  timeoutMs: number;
  /** Aborting stops the command; the result then says `canceled`. */
  signal?: AbortSignal;
  /** How long a stopped command gets between SIGTERM and SIGKILL (default 5 s). */
  killGraceMs?: number;
  /** Characters kept of each of stdout and stderr (default 16 MiB); the rest is dropped. */
  maxChars?: number;
  /** How long to wait for stdout/stderr to close once the command exited (a daemon it started may hold them; default 2 s). */
  drainMs?: number;
}

export interface CommandResult {
  /** The exit code; undefined when it was killed by a signal or never started. */
  exitCode: number | undefined;
  signal: NodeJS.Signals | undefined;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  canceled: boolean;
  /** Set when the command could not be started (ENOENT: not found, EACCES: not executable). */
  spawnError?: NodeJS.ErrnoException;
}

/** The text a stream wrote, up to `max` characters, without its one final newline. */
function collector(max: number) {
  let text = '';
  return {
    add(chunk: string) {
      if (text.length < max) text += chunk.length > max - text.length ? chunk.slice(0, max - text.length) : chunk;
    },
    get: () => text.replace(/\r?\n$/, ''),
  };
}

/** SIGTERM now, SIGKILL after `graceMs` if it is still running (the timer goes into `timers`). */
function stopper(child: ChildProcess, graceMs: number, timers: NodeJS.Timeout[]): () => void {
  const running = () => child.exitCode === null && child.signalCode === null;
  return () => {
    if (!running()) return;
    child.kill('SIGTERM');
    timers.push(setTimeout(() => running() && child.kill('SIGKILL'), graceMs).unref());
  };
}

export function runCommand(cmd: string, args: readonly string[], o: CommandOptions): Promise<CommandResult> {
  const max = o.maxChars ?? 16 * 1024 * 1024;
  const out = collector(max);
  const err = collector(max);
  return new Promise((resolve) => {
    let timedOut = false;
    let canceled = false;
    let done = false;
    const timers: NodeJS.Timeout[] = [];
    const child = spawn(cmd, [...args], { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true, ...(o.env ? { env: { ...o.env } } : {}) });
    const stop = stopper(child, o.killGraceMs ?? 5_000, timers);
    const onAbort = () => {
      canceled = true;
      stop();
    };
    const onParentExit = () => child.kill('SIGKILL');
    const finish = (spawnError?: NodeJS.ErrnoException) => {
      if (done) return;
      done = true;
      for (const t of timers) clearTimeout(t);
      o.signal?.removeEventListener('abort', onAbort);
      process.removeListener('exit', onParentExit);
      resolve({
        exitCode: spawnError ? undefined : (child.exitCode ?? undefined),
        signal: child.signalCode ?? undefined,
        stdout: out.get(),
        stderr: err.get(),
        timedOut,
        canceled,
        ...(spawnError ? { spawnError } : {}),
      });
    };
    child.stdout.setEncoding('utf8').on('data', out.add);
    child.stderr.setEncoding('utf8').on('data', err.add);
    child.on('error', (e: NodeJS.ErrnoException) => {
      // A failed spawn has no exit to wait for; any other error (a failed kill) does.
      if (child.pid === undefined) finish(e);
    });
    child.on('exit', () => {
      timers.push(
        setTimeout(() => {
          child.stdout.destroy();
          child.stderr.destroy();
          finish();
        }, o.drainMs ?? 2_000).unref(),
      );
    });
    child.on('close', () => finish());
    if (o.signal?.aborted) onAbort();
    else o.signal?.addEventListener('abort', onAbort, { once: true });
    process.once('exit', onParentExit); // never leave a command running behind an exiting clawfix
    timers.push(
      setTimeout(() => {
        timedOut = true;
        stop();
      }, o.timeoutMs).unref(),
    );
  });
}
