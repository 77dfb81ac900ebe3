/**
 * The ports a command gets: streams, environment, clock, prompts, signals and (tests only) fault
 * injection. Built once in `run()` (cli/run.ts); tests of `main()` pass fakes. Library code below the
 * CLI never reads process.env, never prompts and never installs signal handlers.
 */
import type { FaultPort } from '../../apply/faults.js';

export interface Streams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

export interface Choice<T extends string> {
  name: string;
  value: T;
  description?: string;
}

/** Questions on a terminal. Every call may reject with an AbortError (Ctrl-C): nothing was changed then. */
export interface PromptPort {
  confirm(message: string, dflt: boolean): Promise<boolean>;
  select<T extends string>(message: string, choices: Choice<T>[]): Promise<T>;
  checkbox(message: string, choices: { name: string; value: string; checked: boolean; description?: string }[]): Promise<string[]>;
}

/**
 * SIGINT / SIGTERM. Outside a transaction they end clawfix at once (exit 130); inside one (`critical`)
 * they abort `signal` and the transaction rolls back first.
 */
export interface SignalPort {
  readonly signal: AbortSignal;
  /** Enter a transaction; call the returned function to leave it. */
  critical(): () => void;
  /** While a child owns the terminal (an editor), Ctrl-C is the child's: clawfix ignores it. */
  whileChildOwnsTerminal<T>(fn: () => Promise<T>): Promise<T>;
  /** Run `fn` if clawfix exits before the returned function is called (an interrupt exits at once). */
  atExit(fn: () => void): () => void;
}

export interface Deps extends Streams {
  env: Readonly<Record<string, string | undefined>>;
  now: () => number;
  signals: SignalPort;
  /** Prompts on this terminal (only asked for when there is one). */
  prompt: () => Promise<PromptPort>;
  /** Test-only fault injection, wired by run() from CLAWFIX_TEST_FAULT / CLAWFIX_TEST_CRASH_AT. */
  faults?: FaultPort;
}
