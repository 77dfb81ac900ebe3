/** Output ports: results go to stdout, progress and messages to stderr; colour only when allowed. */
import pc from 'picocolors';
import { redact } from '../util/redact.js';

export interface Streams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

export type Colors = ReturnType<typeof pc.createColors>;

export interface Out {
  colors: Colors;
  json: boolean;
  verbose: boolean;
  interactive: boolean;
  /** A result line (stdout), redacted. */
  result(text: string): void;
  /** Progress / messages (stderr), redacted. */
  info(text: string): void;
  debug(text: string): void;
  error(text: string): void;
  writeJson(value: unknown): void;
}

export function makeOut(streams: Streams, opts: { json: boolean; verbose: boolean; color: boolean; env: Readonly<Record<string, string | undefined>> }): Out {
  const colorOk = opts.color && !opts.env.NO_COLOR && (!!streams.stdout.isTTY || !!opts.env.FORCE_COLOR);
  const colors = pc.createColors(colorOk);
  const interactive = !!streams.stdin.isTTY && !!streams.stdout.isTTY && !opts.env.CI;
  return {
    colors,
    json: opts.json,
    verbose: opts.verbose,
    interactive,
    result: (t) => streams.stdout.write(redact(t) + '\n'),
    info: (t) => streams.stderr.write(redact(t) + '\n'),
    debug: (t) => {
      if (opts.verbose) streams.stderr.write(colors.dim(redact(t)) + '\n');
    },
    error: (t) => streams.stderr.write(colors.red(redact(t)) + '\n'),
    writeJson: (v) => streams.stdout.write(redact(JSON.stringify(v, null, 2)) + '\n'),
  };
}
