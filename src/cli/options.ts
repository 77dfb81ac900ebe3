/**
 * Every option of the command line, once: yargs is built from these tables (main.ts), and so is the
 * fast path that reads a plain command line without loading yargs (fast-args.ts).
 */

export interface OptionSpec {
  type: 'string' | 'boolean';
  describe: string;
  group?: string;
  alias?: string;
  /** Booleans only: the value when the flag is not given. */
  default?: boolean;
  choices?: readonly string[];
}

export type OptionTable = Readonly<Record<string, OptionSpec>>;

const WHERE = 'Where:';

export const GLOBAL_OPTIONS: OptionTable = {
  'state-dir': { type: 'string', describe: 'OpenClaw state dir (default: $OPENCLAW_STATE_DIR or ~/.openclaw)', group: WHERE },
  profile: { type: 'string', describe: 'OpenClaw profile (state dir ~/.openclaw-NAME)', group: WHERE },
  config: { type: 'string', describe: 'config file (default: $OPENCLAW_CONFIG_PATH or <state>/openclaw.json)', group: WHERE },
  'log-file': { type: 'string', describe: "gateway log file to read (default: logging.file or today's OpenClaw log)", group: WHERE },
  openclaw: { type: 'string', describe: 'path to the openclaw executable (default: from PATH)', group: WHERE },
  container: { type: 'string', describe: 'the docker/podman container the gateway runs in (default: found from the port, or the container that mounts the state dir)', group: WHERE },
  runtime: { type: 'string', choices: ['docker', 'podman'], describe: 'container runtime CLI to use (default: the one that knows the container)', group: WHERE },
  json: { type: 'boolean', default: false, describe: 'machine-readable result on stdout (progress on stderr)' },
  verbose: { type: 'boolean', default: false, describe: 'more detail on stderr (secrets stay redacted)' },
  color: { type: 'boolean', default: true, describe: 'colour output (--no-color, or NO_COLOR=1, disables)' },
};

export const FIX_OPTIONS: OptionTable = {
  yes: { type: 'boolean', alias: 'y', default: false, describe: 'apply without prompting (unattended)' },
  'dry-run': { type: 'boolean', default: false, describe: 'show the plan and the diff; change nothing' },
  device: { type: 'string', describe: 'device id to repair when several are implicated' },
  scopes: { type: 'string', describe: 'comma-separated scopes to grant instead of what the logs asked for' },
  'allow-admin': { type: 'boolean', default: false, describe: 'consent to granting operator.admin when it was requested' },
};

export const ROLLBACK_OPTIONS: OptionTable = {
  yes: { type: 'boolean', alias: 'y', default: false, describe: 'do not prompt' },
  force: { type: 'boolean', default: false, describe: 'put the old files/rows back whole, even where they changed again after the repair' },
};

export const EDIT_CONFIG_OPTIONS: OptionTable = {
  editor: { type: 'string', describe: 'editor command line, run through the shell with the file path appended (default: $VISUAL, $EDITOR, vi)' },
  'dry-run': { type: 'boolean', default: false, describe: 'show the diff and the hazards; install nothing' },
  yes: { type: 'boolean', alias: 'y', default: false, describe: 'install despite warnings without asking (errors still block)' },
};

/** The commands and the options each takes besides the global ones (`interactive` is the default command). */
export const COMMAND_OPTIONS = {
  interactive: FIX_OPTIONS,
  diagnose: {},
  fix: FIX_OPTIONS,
  rollback: ROLLBACK_OPTIONS,
  backups: {},
  'edit-config': EDIT_CONFIG_OPTIONS,
  completion: {},
} as const satisfies Record<string, OptionTable>;

export type CommandName = keyof typeof COMMAND_OPTIONS;

/** Every option name, for the did-you-mean of an unknown one. */
export const OPTION_NAMES: readonly string[] = [...new Set([...Object.keys(GLOBAL_OPTIONS), ...Object.values(COMMAND_OPTIONS).flatMap((t) => Object.keys(t)), 'help', 'version'])];

/** The key yargs (and the fast path) stores an option under: `dry-run` → `dryRun`. */
export const camel = (flag: string): string => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** The options as yargs takes them: a string option always needs a value. */
export function yargsOption(spec: OptionSpec): Record<string, unknown> {
  return { ...spec, ...(spec.type === 'string' ? { requiresArg: true } : {}) };
}
