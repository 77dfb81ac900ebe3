/**
 * The command line. `main(argv, deps)` parses, runs one command and returns its exit code; typed errors
 * are mapped to a message and a code in one place (`reportError`); `run()` is the only place that
 * touches process.exit (through the signal port) and wires the real ports. Commands are imported
 * lazily so --help stays fast, and so is yargs: a plain command line is read by the fast path
 * (fast-args.ts) from the same option tables (options.ts) yargs is built from.
 */
import type { Argv } from 'yargs';
import { faultsFromEnv } from '../apply/faults.js';
import { ClawfixError, EXIT, UsageError } from '../util/errors.js';
import { Redactor } from '../util/redact.js';
import { VERSION } from '../util/version.js';
import type { FixArgs } from './commands/fix.js';
import { checkFlagValues, usageErrorFrom } from './args.js';
import { requireConsent } from './consent.js';
import { makeCtx, type Ctx, type Deps, type GlobalArgs } from './context.js';
import { fastParse, type FastParse } from './fast-args.js';
import { COMMAND_OPTIONS, GLOBAL_OPTIONS, OPTION_NAMES, yargsOption, type CommandName, type OptionTable } from './options.js';
import { inquirerPrompts } from './ports/prompt.js';
import { processSignals } from './ports/signals.js';

const EPILOG = `Exit codes:
  0    nothing wrong / repair succeeded
  1    problems found, or the repair failed and was rolled back
  2    usage error, or consent missing (no TTY and neither --yes nor --dry-run)
  3    repair failed and the rollback is incomplete (manual steps printed)
  130  interrupted (Ctrl-C)

Environment: OPENCLAW_STATE_DIR, OPENCLAW_CONFIG_PATH, OPENCLAW_PROFILE, OPENCLAW_HOME are honoured
like OpenClaw does; NO_COLOR disables colour.`;

function withOptions<T>(y: Argv<T>, table: OptionTable): Argv<T> {
  for (const [name, spec] of Object.entries(table)) y = y.option(name, yargsOption(spec)) as Argv<T>;
  return y;
}

function fixArgsFrom(a: Record<string, unknown>): FixArgs {
  const scopes =
    typeof a.scopes === 'string'
      ? a.scopes
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : undefined;
  if (scopes && !scopes.length) throw new UsageError('--scopes needs at least one scope, e.g. --scopes operator.write');
  return {
    yes: !!a.yes,
    dryRun: !!a.dryRun,
    allowAdmin: !!a.allowAdmin,
    ...(typeof a.device === 'string' ? { device: a.device } : {}),
    ...(scopes ? { scopes } : {}),
  };
}

function globalArgsFrom(a: Record<string, unknown>): GlobalArgs {
  const str = (k: string) => (typeof a[k] === 'string' ? { [k]: a[k] as string } : {});
  const runtime = a.runtime === 'docker' || a.runtime === 'podman' ? { runtime: a.runtime as 'docker' | 'podman' } : {};
  return { json: !!a.json, verbose: !!a.verbose, color: a.color !== false, ...str('stateDir'), ...str('profile'), ...str('config'), ...str('logFile'), ...str('openclaw'), ...str('container'), ...runtime };
}

type Run = (ctx: Ctx, a: Record<string, unknown>) => Promise<number>;

const COMMANDS: Record<CommandName, Run> = {
  interactive: async (c, a) => (await import('./commands/wizard.js')).interactive(c, fixArgsFrom(a)),
  diagnose: async (c) => (await import('./commands/diagnose.js')).diagnose(c),
  fix: async (c, a) => {
    const fa = fixArgsFrom(a);
    requireConsent(c, fa.yes || fa.dryRun, 'add --yes to repair unattended, or --dry-run to preview the change');
    return (await import('./commands/fix.js')).fix(c, fa);
  },
  rollback: async (c, a) => {
    requireConsent(c, !!a.yes, 'add --yes to restore unattended');
    return (await import('./commands/rollback.js')).rollback(c, { ...(typeof a.id === 'string' ? { id: a.id } : {}), yes: !!a.yes, force: !!a.force });
  },
  backups: async (c) => (await import('./commands/backups.js')).backups(c),
  completion: async (c, a) => {
    const { completionScript, defaultShell } = await import('./completion.js');
    c.deps.stdout.write(completionScript(a.shell === 'bash' || a.shell === 'zsh' ? a.shell : defaultShell(c.deps.env)));
    return EXIT.OK;
  },
  'edit-config': async (c, a) =>
    (await import('./commands/edit-config.js')).editConfig(c, { ...(typeof a.editor === 'string' ? { editor: a.editor } : {}), dryRun: !!a.dryRun, yes: !!a.yes }),
};

async function parser(argv: readonly string[], deps: Deps, dispatch: (name: CommandName) => (a: Record<string, unknown>) => Promise<void>) {
  const { default: yargs } = await import('yargs');
  return withOptions(yargs([...argv]), GLOBAL_OPTIONS)
    .scriptName('clawfix')
    .locale('en') // clawfix's own texts are English; yargs' would otherwise follow LANG (and need its locale files)
    .usage('$0 [command] [options]\n\nFinds why OpenClaw sub-agents get "gateway closed (1008): pairing required" and repairs it safely.')
    .command('$0', 'interactive repair on a terminal (`fix` with prompts)', (y) => withOptions(y, COMMAND_OPTIONS.interactive), dispatch('interactive'))
    .command('diagnose', 'find the cause and show the evidence; changes nothing', (y) => y, dispatch('diagnose'))
    .command('fix', 'repair as one transaction (backup, patch, restart, verify, roll back on failure)', (y) => withOptions(y, COMMAND_OPTIONS.fix), dispatch('fix'))
    .command(
      'rollback [id]',
      'restore a backup made by fix (default: the latest)',
      (y) => withOptions(y.positional('id', { type: 'string', describe: 'backup id from `clawfix backups`' }), COMMAND_OPTIONS.rollback),
      dispatch('rollback'),
    )
    .command('backups', 'list backups made by fix', (y) => y, dispatch('backups'))
    .command(
      'edit-config',
      'edit the OpenClaw config safely (like visudo): validate, install with the gateway stopped, roll back if it does not come up',
      (y) => withOptions(y, COMMAND_OPTIONS['edit-config']),
      dispatch('edit-config'),
    )
    .command(
      'completion [shell]',
      'print a shell completion script (bash or zsh; default: from $SHELL)',
      (y) => y.positional('shell', { type: 'string', choices: ['bash', 'zsh'], describe: 'the shell to complete in' }),
      dispatch('completion'),
    )
    .example('$0 diagnose', 'name the cause, with evidence from the logs and the store')
    .example('$0 fix --dry-run', 'show exactly what would change (diff, commands)')
    .example('$0 fix --yes', 'repair unattended; never grants operator.admin without --allow-admin')
    .example('$0 --profile work diagnose --json', 'look at ~/.openclaw-work, JSON on stdout')
    .example('$0 --state-dir ~/.openclaw fix --yes', 'the gateway runs in docker/podman with ~/.openclaw bind-mounted: stops the container, repairs, starts it')
    .example('$0 rollback', 'undo the last repair')
    .example('$0 edit-config', 'edit openclaw.json in $EDITOR; validated, installed with a gateway restart, rolled back on failure')
    .example('source <($0 completion bash)', 'tab completion in this bash session (append the script to ~/.bashrc to keep it)')
    .epilog(EPILOG)
    .version(VERSION)
    .alias('help', 'h')
    .strict()
    .wrap(Math.min(110, deps.stdout.columns ?? 100))
    .exitProcess(false)
    .fail((msg, err) => {
      if (err) throw err;
      throw msg ? usageErrorFrom(msg, argv, OPTION_NAMES) : new UsageError('invalid arguments', 'see clawfix --help');
    });
}

/**
 * What yargs hands a command for this command line, without running it: the fast path's oracle in
 * test/spec/fast-args.test.ts. undefined when yargs runs no command (help, version, a usage error).
 */
export async function yargsArgs(argv: readonly string[]): Promise<FastParse | undefined> {
  let got: FastParse | undefined;
  const y = await parser(argv, { stdout: { columns: 100 } } as Deps, (command) => async (args) => void (got = { command, args }));
  try {
    await y.parseAsync(argv, {}, () => undefined);
  } catch {
    return undefined;
  }
  return got;
}

export async function main(argv: readonly string[], deps: Deps): Promise<number> {
  let code: number = EXIT.OK;
  let ctx: Ctx | undefined;
  const dispatch = (name: CommandName) => async (a: Record<string, unknown>) => {
    ctx = makeCtx(deps, globalArgsFrom(a));
    checkFlagValues(a, deps.env);
    code = await COMMANDS[name](ctx, a);
  };
  const fast = fastParse(argv);
  if (fast) {
    try {
      await dispatch(fast.command)(fast.args);
      return code;
    } catch (err) {
      return reportError(err, ctx, deps);
    }
  }
  let helpOrVersion = false;
  try {
    await (await parser(argv, deps, dispatch)).parseAsync(argv, {}, (err, _argv, output) => {
      if (output && !err) {
        helpOrVersion = true;
        // Shell completion answers (see ./completion.ts) list commands by name: the default one is not typed.
        const shown = argv.includes('--get-yargs-completions') ? output.split('\n').filter((l) => !/^\$0(:|$)/.test(l)).join('\n') : output;
        deps.stdout.write(shown + '\n');
      }
    });
  } catch (err) {
    // A command's own options fail inside yargs (YError), not through .fail(): same usage error.
    return reportError((err as Error)?.name === 'YError' ? usageErrorFrom((err as Error).message, argv, OPTION_NAMES) : err, ctx, deps);
  }
  return helpOrVersion ? EXIT.OK : code;
}

function isAbort(err: unknown): boolean {
  const name = (err as { name?: string })?.name;
  return name === 'AbortError' || name === 'ExitPromptError' || name === 'AbortPromptError';
}

/** The one place an error becomes a message and an exit code. */
function reportError(err: unknown, ctx: Ctx | undefined, deps: Deps): number {
  const e = err instanceof ClawfixError ? err : undefined;
  const exitCode = e?.exitCode ?? (isAbort(err) ? EXIT.INTERRUPTED : EXIT.PROBLEM);
  const redactor = ctx?.out.redactor ?? new Redactor();
  const message = redactor.text(e ? e.message : isAbort(err) ? 'interrupted' : ((err as Error)?.message ?? String(err)));
  if (ctx?.out.json) {
    deps.stdout.write(JSON.stringify(redactor.value({ ok: false, error: { message, ...(e?.hint ? { hint: e.hint } : {}), ...(e?.path ? { path: e.path } : {}) }, exitCode }), null, 2) + '\n');
  }
  deps.stderr.write(`clawfix: ${message}\n`);
  if (e?.hint) deps.stderr.write(`  → ${redactor.text(e.hint)}\n`);
  if (!e && !isAbort(err) && ctx?.args.verbose && err instanceof Error && err.stack) deps.stderr.write(redactor.text(err.stack) + '\n');
  return exitCode;
}

/** Process entry: wires the real streams, signals, prompts and (test-only) fault injection, then sets the exit code. */
export async function run(): Promise<void> {
  const streams = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin };
  const signals = processSignals(process.stderr);
  const faults = faultsFromEnv(process.env);
  process.exitCode = await main(process.argv.slice(2), {
    ...streams,
    env: process.env,
    now: () => Date.now(),
    signals,
    prompt: inquirerPrompts(streams, signals.signal),
    ...(faults ? { faults } : {}),
  });
}
