/**
 * The command line. `main(argv, deps)` parses, runs one command and returns its exit code; typed errors
 * are mapped to a message and a code in one place (`reportError`); `run()` is the only place that
 * touches process.exit (through the signal port) and wires the real ports. Commands are imported
 * lazily so --help stays fast.
 */
import yargs, { type Argv } from 'yargs';
import { faultsFromEnv } from '../apply/faults.js';
import { ClawfixError, EXIT, UsageError } from '../util/errors.js';
import { Redactor } from '../util/redact.js';
import { VERSION } from '../util/version.js';
import type { FixArgs } from './commands/fix.js';
import { checkFlagValues, usageErrorFrom } from './args.js';
import { requireConsent } from './consent.js';
import { makeCtx, type Ctx, type Deps, type GlobalArgs } from './context.js';
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

function globals(y: Argv): Argv<GlobalArgs> {
  return y
    .option('state-dir', { type: 'string', requiresArg: true, describe: 'OpenClaw state dir (default: $OPENCLAW_STATE_DIR or ~/.openclaw)', group: 'Where:' })
    .option('profile', { type: 'string', requiresArg: true, describe: 'OpenClaw profile (state dir ~/.openclaw-NAME)', group: 'Where:' })
    .option('config', { type: 'string', requiresArg: true, describe: 'config file (default: $OPENCLAW_CONFIG_PATH or <state>/openclaw.json)', group: 'Where:' })
    .option('log-file', { type: 'string', requiresArg: true, describe: 'gateway log file to read (default: logging.file or today\'s OpenClaw log)', group: 'Where:' })
    .option('openclaw', { type: 'string', requiresArg: true, describe: 'path to the openclaw executable (default: from PATH)', group: 'Where:' })
    .option('container', { type: 'string', requiresArg: true, describe: 'the docker/podman container the gateway runs in (default: found from the port, or the container that mounts the state dir)', group: 'Where:' })
    .option('runtime', { type: 'string', requiresArg: true, choices: ['docker', 'podman'], describe: 'container runtime CLI to use (default: the one that knows the container)', group: 'Where:' })
    .option('json', { type: 'boolean', default: false, describe: 'machine-readable result on stdout (progress on stderr)' })
    .option('verbose', { type: 'boolean', default: false, describe: 'more detail on stderr (secrets stay redacted)' })
    .option('color', { type: 'boolean', default: true, describe: 'colour output (--no-color, or NO_COLOR=1, disables)' }) as unknown as Argv<GlobalArgs>;
}

function fixOptions<T>(y: Argv<T>) {
  return y
    .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'apply without prompting (unattended)' })
    .option('dry-run', { type: 'boolean', default: false, describe: 'show the plan and the diff; change nothing' })
    .option('device', { type: 'string', requiresArg: true, describe: 'device id to repair when several are implicated' })
    .option('scopes', { type: 'string', requiresArg: true, describe: 'comma-separated scopes to grant instead of what the logs asked for' })
    .option('allow-admin', { type: 'boolean', default: false, describe: 'consent to granting operator.admin when it was requested' });
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

/** Every option name, for the did-you-mean of an unknown one. */
const OPTION_NAMES = ['state-dir', 'profile', 'config', 'log-file', 'openclaw', 'container', 'runtime', 'json', 'verbose', 'color', 'yes', 'dry-run', 'device', 'scopes', 'allow-admin', 'editor', 'help', 'version'];

type Run = (ctx: Ctx, a: Record<string, unknown>) => Promise<number>;

const COMMANDS: Record<string, Run> = {
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

function parser(argv: readonly string[], deps: Deps, dispatch: (name: string) => (a: Record<string, unknown>) => Promise<void>) {
  return globals(yargs([...argv]))
    .scriptName('clawfix')
    .locale('en') // clawfix's own texts are English; yargs' would otherwise follow LANG (and need its locale files)
    .usage('$0 [command] [options]\n\nFinds why OpenClaw sub-agents get "gateway closed (1008): pairing required" and repairs it safely.')
    .command('$0', 'interactive repair on a terminal (`fix` with prompts)', (y) => fixOptions(y), dispatch('interactive'))
    .command('diagnose', 'find the cause and show the evidence; changes nothing', (y) => y, dispatch('diagnose'))
    .command('fix', 'repair as one transaction (backup, patch, restart, verify, roll back on failure)', (y) => fixOptions(y), dispatch('fix'))
    .command(
      'rollback [id]',
      'restore a backup made by fix (default: the latest)',
      (y) =>
        y
          .positional('id', { type: 'string', describe: 'backup id from `clawfix backups`' })
          .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'do not prompt' })
          .option('force', { type: 'boolean', default: false, describe: 'put the old files/rows back whole, even where they changed again after the repair' }),
      dispatch('rollback'),
    )
    .command('backups', 'list backups made by fix', (y) => y, dispatch('backups'))
    .command(
      'edit-config',
      'edit the OpenClaw config safely (like visudo): validate, install with the gateway stopped, roll back if it does not come up',
      (y) =>
        y
          .option('editor', { type: 'string', requiresArg: true, describe: 'editor command line, run through the shell with the file path appended (default: $VISUAL, $EDITOR, vi)' })
          .option('dry-run', { type: 'boolean', default: false, describe: 'show the diff and the hazards; install nothing' })
          .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'install despite warnings without asking (errors still block)' }),
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

export async function main(argv: readonly string[], deps: Deps): Promise<number> {
  let code: number = EXIT.OK;
  let ctx: Ctx | undefined;
  const dispatch = (name: string) => async (a: Record<string, unknown>) => {
    ctx = makeCtx(deps, globalArgsFrom(a));
    checkFlagValues(a, deps.env);
    code = await COMMANDS[name]!(ctx, a);
  };
  let helpOrVersion = false;
  try {
    await parser(argv, deps, dispatch).parseAsync(argv, {}, (err, _argv, output) => {
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
