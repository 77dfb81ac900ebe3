/** Output ports: results go to stdout, progress and messages to stderr, everything redacted; colour only when allowed. */
import pc from 'picocolors';
import { Redactor } from '../util/redact.js';
import type { Streams } from './ports/types.js';

export type Colors = ReturnType<typeof pc.createColors>;

export interface Out {
  colors: Colors;
  json: boolean;
  verbose: boolean;
  /** stdin and stdout are a terminal (and not CI): prompts may be shown. */
  interactive: boolean;
  /** Masks the secrets the snapshot read (and anything token-shaped) in every line written. */
  redactor: Redactor;
  /** A result line (stdout). */
  result(text: string): void;
  /** Progress / messages (stderr). */
  info(text: string): void;
  debug(text: string): void;
  error(text: string): void;
  writeJson(value: unknown): void;
}

export function makeOut(streams: Streams, opts: { json: boolean; verbose: boolean; color: boolean; env: Readonly<Record<string, string | undefined>> }): Out {
  const colorOk = opts.color && !opts.env.NO_COLOR && (!!streams.stdout.isTTY || !!opts.env.FORCE_COLOR);
  const colors = pc.createColors(colorOk);
  const interactive = !!streams.stdin.isTTY && !!streams.stdout.isTTY && !opts.env.CI;
  const redactor = new Redactor();
  const r = (t: string) => redactor.text(t);
  return {
    colors,
    json: opts.json,
    verbose: opts.verbose,
    interactive,
    redactor,
    result: (t) => streams.stdout.write(r(t) + '\n'),
    info: (t) => streams.stderr.write(r(t) + '\n'),
    debug: (t) => {
      if (opts.verbose) streams.stderr.write(colors.dim(r(t)) + '\n');
    },
    error: (t) => streams.stderr.write(colors.red(r(t)) + '\n'),
    writeJson: (v) => streams.stdout.write(r(JSON.stringify(redactor.value(v), null, 2)) + '\n'),
  };
}
