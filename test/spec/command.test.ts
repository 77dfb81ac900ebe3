/**
 * The process runner (util/command.ts) against real child processes: what it collects, how it stops a
 * command that outlives its timeout or is cancelled, a command that cannot start, and a command that
 * leaves a daemon holding its output pipes.
 */
import { describe, expect, test } from '@jest/globals';
import { runCommand } from '../../src/util/command.js';

const node = process.execPath;
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('runCommand', () => {
  test('returns stdout and stderr as text without their final newline, and the exit code', async () => {
    const r = await runCommand(node, ['-e', 'process.stdout.write("out é\\n"); process.stderr.write("err\\n\\n"); process.exitCode = 3'], { timeoutMs: 10_000 });
    expect(r).toMatchObject({ exitCode: 3, signal: undefined, stdout: 'out é', stderr: 'err\n', timedOut: false, canceled: false });
    expect(r.spawnError).toBeUndefined();
  });

  test('the child gets exactly the environment it is given, and no stdin', async () => {
    const r = await runCommand(node, ['-e', 'process.stdout.write(JSON.stringify([process.env.ONLY, process.env.HOME ?? null, require("fs").fstatSync(0).isCharacterDevice()]))'], {
      timeoutMs: 10_000,
      env: { ONLY: 'this' },
    });
    expect(JSON.parse(r.stdout)).toEqual(['this', null, true]); // fd 0 is /dev/null
  });

  test('a command past its timeout is stopped: SIGTERM, then SIGKILL when it ignores that', async () => {
    const t0 = Date.now();
    const r = await runCommand(node, ['-e', 'process.on("SIGTERM", () => {}); console.log("started"); setInterval(() => {}, 1000)'], { timeoutMs: 300, killGraceMs: 300 });
    expect(r.timedOut).toBe(true);
    expect(r.signal).toBe('SIGKILL');
    expect(r.exitCode).toBeUndefined();
    expect(r.stdout).toBe('started');
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  test('an abort stops the command and says it was cancelled', async () => {
    const ac = new AbortController();
    const run = runCommand(node, ['-e', 'setInterval(() => {}, 1000)'], { timeoutMs: 30_000, signal: ac.signal });
    setTimeout(() => ac.abort(), 100);
    const r = await run;
    expect(r).toMatchObject({ canceled: true, timedOut: false, signal: 'SIGTERM' });
  });

  test('an already aborted signal never lets the command run on', async () => {
    const ac = new AbortController();
    ac.abort();
    const r = await runCommand(node, ['-e', 'setInterval(() => {}, 1000)'], { timeoutMs: 30_000, signal: ac.signal });
    expect(r.canceled).toBe(true);
  });

  test('a command that cannot start is a result with its spawn error, not a throw', async () => {
    const r = await runCommand('/nonexistent/openclaw', ['--version'], { timeoutMs: 10_000 });
    expect(r.spawnError?.code).toBe('ENOENT');
    expect(r.exitCode).toBeUndefined();
  });

  test('a daemon that keeps the output pipes open does not hold the caller past the drain time', async () => {
    const script = `
      const { spawn } = require('child_process');
      const d = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'], { stdio: ['ignore', 'inherit', 'inherit'], detached: true });
      d.unref();
      console.log(d.pid);`;
    const t0 = Date.now();
    const r = await runCommand(node, ['-e', script], { timeoutMs: 30_000, drainMs: 200 });
    const daemon = Number(r.stdout);
    try {
      expect(r.exitCode).toBe(0);
      expect(Date.now() - t0).toBeLessThan(5_000);
      expect(alive(daemon)).toBe(true); // left running: it is not the command clawfix ran
    } finally {
      if (daemon > 0 && alive(daemon)) process.kill(daemon, 'SIGKILL');
    }
  });

  test('output beyond the bound is dropped, not buffered', async () => {
    const r = await runCommand(node, ['-e', 'process.stdout.write("x".repeat(100000))'], { timeoutMs: 10_000, maxChars: 1000 });
    expect(r.stdout.length).toBe(1000);
    expect(r.exitCode).toBe(0);
  });
});
