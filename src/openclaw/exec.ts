/** The slow outside commands the snapshot may need: `openclaw --version`, a container runtime's CLI. */
import { runCommand } from '../util/command.js';
import type { CommandRunner } from './container.js';

/** `openclaw --version` (only when no package.json beside the binary gives the version). Throws when it does not answer. */
export async function runVersion(exe: string): Promise<string> {
  const r = await runCommand(exe, ['--version'], { timeoutMs: 10_000 });
  if (r.spawnError) throw r.spawnError;
  if (r.timedOut) throw new Error('no answer within 10 s');
  if (r.exitCode !== 0) throw new Error(`exit ${r.exitCode ?? r.signal}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n').pop()!.slice(0, 300)}` : ''}`);
  return r.stdout;
}

/** A container runtime's CLI, for finding and describing containers: bounded, never throws on exit codes. */
export function commandRunner(env: Readonly<Record<string, string | undefined>>): CommandRunner {
  return async (cmd, args) => {
    const r = await runCommand(cmd, args, { timeoutMs: 10_000, env });
    return { exitCode: r.exitCode ?? 1, stdout: r.stdout };
  };
}
