/**
 * The fast path of the command line (cli/fast-args.ts) against yargs, its oracle: on every command
 * line it accepts, it must hand the command exactly what yargs would; every line yargs refuses (or
 * answers with help or the version) it must leave to yargs. The lines are generated: each command (and
 * none, and a typo) with option snippets before and after it, alone and in pairs.
 */
import { describe, expect, test } from '@jest/globals';
import { fastParse } from '../../src/cli/fast-args.js';
import { yargsArgs } from '../../src/cli/main.js';
import { camel, COMMAND_OPTIONS, GLOBAL_OPTIONS, type CommandName } from '../../src/cli/options.js';

const COMMANDS = [[], ['diagnose'], ['fix'], ['rollback'], ['rollback', '20261203-101010-abcd'], ['backups'], ['edit-config'], ['completion'], ['completion', 'bash'], ['fxi']];
const SNIPPETS = [
  [], ['--json'], ['--no-json'], ['--no-color'], ['--color'], ['--verbose'], ['--profile', 'work'], ['--profile=work'], ['--state-dir', '/tmp'], ['--state-dir=/tmp'],
  ['--config', 'c.json'], ['--log-file', 'x.log'], ['--openclaw', '/usr/bin/openclaw'], ['--container', 'gw'], ['--runtime', 'podman'], ['--runtime', 'lxc'], ['--runtime=docker'],
  ['--yes'], ['-y'], ['--no-yes'], ['--dry-run'], ['--no-dry-run'], ['--dryRun'], ['--device', 'abc123'], ['--device', '123'], ['--scopes', 'operator.write,operator.read'],
  ['--allow-admin'], ['--force'], ['--editor', 'vi'], ['--editor', 'code --wait'], ['--json', '--json'], ['--profile', 'a', '--profile', 'b'], ['--help'], ['-h'], ['--version'],
  ['--'], ['--bogus'], ['--profile'], ['--profile', '--json'], ['--profile='], ['--yes=true'], ['--json=false'], ['-x'], ['-yv'], ['extra'], ['--state-dir', 'diagnose'],
  ['--profile', ''], ['-Y'], ['--Json'], ['--no-profile'], ['true'], ['false'], ['help'], ['--yes', 'false'], ['-y', 'true'], ['--json', 'false'],
  ['--constructor', 'x'], ['--toString=x'], ['--__proto__', 'x'], ['--no-constructor'], ['--hasOwnProperty'],
];

function lines(): string[][] {
  const out = new Map<string, string[]>();
  const add = (l: string[]) => out.set(JSON.stringify(l), l);
  for (const cmd of COMMANDS) {
    for (const a of SNIPPETS) {
      add([...cmd, ...a]);
      add([...a, ...cmd]);
      for (const b of SNIPPETS.slice(0, 7)) add([...a, ...cmd, ...b]);
    }
  }
  return [...out.values()];
}

/** The keys a command reads: every option of it and the global ones (camelCase), and rollback's id. */
function keysOf(command: CommandName): string[] {
  return [...Object.keys({ ...GLOBAL_OPTIONS, ...COMMAND_OPTIONS[command] }).map(camel), 'id'];
}

describe('the fast command-line path', () => {
  test('hands every command exactly what yargs would, and leaves to yargs every line yargs refuses', async () => {
    const all = lines();
    let accepted = 0;
    const wrong: string[] = [];
    for (const argv of all) {
      const fast = fastParse(argv);
      if (!fast) continue;
      accepted++;
      const slow = await yargsArgs(argv);
      if (!slow) {
        wrong.push(`${JSON.stringify(argv)}: yargs refuses it (or answers with help), the fast path took it`);
        continue;
      }
      const pick = (a: Record<string, unknown>) => Object.fromEntries(keysOf(slow.command).filter((k) => a[k] !== undefined).map((k) => [k, a[k]]));
      if (fast.command !== slow.command || JSON.stringify(pick(fast.args)) !== JSON.stringify(pick(slow.args))) {
        wrong.push(`${JSON.stringify(argv)}: fast ${fast.command} ${JSON.stringify(pick(fast.args))}, yargs ${slow.command} ${JSON.stringify(pick(slow.args))}`);
      }
    }
    expect(wrong).toEqual([]);
    // not vacuous: most plain lines take the fast path
    expect(accepted).toBeGreaterThan(all.length / 6);
  }, 120_000);

  test.each([
    [['diagnose', '--json'], 'diagnose'],
    [['fix', '--yes'], 'fix'],
    [['--profile', 'work', 'fix', '--dry-run', '--device', 'abc'], 'fix'],
    [['rollback', '20261203-101010-abcd', '-y'], 'rollback'],
    [['--no-color', 'edit-config', '--editor', 'code --wait'], 'edit-config'],
    [[], 'interactive'],
  ])('a plain line takes the fast path: %j', (argv, command) => {
    expect(fastParse(argv)?.command).toBe(command);
  });

  test.each([
    [['--help']], [['fix', '-h']], [['--version']], [['completion']], [['fix', '--yes', '--yes']], [['fix', '--bogus']], [['--profile']], [['fix', '--']], [['fxi']],
    [['rollback', 'help']], [['rollback', '-y', 'false']], [['rollback', '--yes', 'true']], [['backups', '--constructor', 'x']], [['--toString=x', 'fix', '--yes']],
  ])(
    'anything else goes to yargs: %j',
    (argv) => {
      expect(fastParse(argv)).toBeUndefined();
    },
  );
});
