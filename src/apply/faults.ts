/**
 * Test-only fault injection, as a port: `run()` builds one from CLAWFIX_TEST_CRASH_AT /
 * CLAWFIX_TEST_FAULT (the single documented test switch) and passes it down; library code never reads
 * the environment. Absent, every seam is a no-op.
 *   crash(point)         SIGKILL this process at that point (e.g. after:backup, before:patch)
 *   fault(op, target)    make <op> (write, backup, verify, sqlite-commit) fail once with an errno code
 */
export interface FaultPort {
  crash(point: string): void;
  fault(op: string, target?: string): void;
}

export function faultsFromEnv(env: Readonly<Record<string, string | undefined>>): FaultPort | undefined {
  const crashAt = env.CLAWFIX_TEST_CRASH_AT;
  const spec = env.CLAWFIX_TEST_FAULT;
  if (!crashAt && !spec) return undefined;
  const fired = new Set<string>();
  return {
    crash(point) {
      if (crashAt && crashAt.split(',').includes(point)) process.kill(process.pid, 'SIGKILL');
    },
    fault(op, target = '') {
      if (!spec) return;
      for (const item of spec.split(',')) {
        const [o, code, match] = item.split(':');
        if (o !== op || fired.has(item)) continue;
        if (match && !target.includes(match)) continue;
        fired.add(item);
        throw Object.assign(new Error(`${code ?? 'EIO'}: injected fault (${op} ${target})`), { code: code ?? 'EIO' });
      }
    },
  };
}
