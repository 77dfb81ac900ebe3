/**
 * Fault-injection seams for the test suite, driven by environment variables that users never set:
 *   CLAWFIX_TEST_CRASH_AT=<point>   SIGKILL this process at that point (e.g. after:backup, before:patch)
 *   CLAWFIX_TEST_FAULT=<op>:<CODE>  make <op> (write, backup, verify) fail with that errno code once
 * They exist so crash recovery and every failure path can be proven against real processes.
 */

export function crashPoint(point: string): void {
  const want = process.env.CLAWFIX_TEST_CRASH_AT;
  if (want && want.split(',').includes(point)) process.kill(process.pid, 'SIGKILL');
}

const fired = new Set<string>();

export function testFault(op: string, target = ''): void {
  const spec = process.env.CLAWFIX_TEST_FAULT;
  if (!spec) return;
  for (const item of spec.split(',')) {
    const [o, code, match] = item.split(':');
    if (o !== op || fired.has(item)) continue;
    if (match && !target.includes(match)) continue;
    fired.add(item);
    const err = Object.assign(new Error(`${code ?? 'EIO'}: injected fault (${op} ${target})`), { code: code ?? 'EIO' });
    throw err;
  }
}
