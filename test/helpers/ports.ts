/**
 * Fake ports for in-process specs of `main()`: streams that collect what is written, a signal port
 * that never exits, and a prompt port that answers from a script (and fails the test on an
 * unexpected question).
 */
import { Readable, Writable } from 'node:stream';
import type { Deps, PromptPort, SignalPort } from '../../src/cli/ports/types.js';

export interface Captured {
  deps: Deps;
  stdout(): string;
  stderr(): string;
  /** Questions asked, in order. */
  asked: string[];
}

function sink(tty: boolean): Writable & { isTTY?: boolean; text: () => string } {
  let text = '';
  const w = new Writable({
    write(chunk, _enc, cb) {
      text += String(chunk);
      cb();
    },
  }) as Writable & { isTTY?: boolean; text: () => string };
  if (tty) w.isTTY = true;
  w.text = () => text;
  return w;
}

export function fakeSignals(): SignalPort & { depth(): number } {
  const controller = new AbortController();
  let active = 0;
  return {
    signal: controller.signal,
    critical() {
      active++;
      return () => active--;
    },
    whileChildOwnsTerminal: (fn) => fn(),
    atExit: () => () => undefined,
    depth: () => active,
  };
}

export type Answer = boolean | string | string[];

/** A prompt port answering `answers` in order; each question is recorded. */
export function scriptedPrompt(answers: Answer[], asked: string[]): PromptPort {
  const next = (q: string) => {
    asked.push(q);
    if (!answers.length) throw new Error(`unexpected question: ${q}`);
    return answers.shift()!;
  };
  return {
    confirm: async (q) => next(q) as boolean,
    select: async <T extends string>(q: string) => next(q) as T,
    checkbox: async (q) => next(q) as string[],
  };
}

export function fakeDeps(o: { env?: Record<string, string | undefined>; tty?: boolean; answers?: Answer[]; now?: () => number } = {}): Captured {
  const stdout = sink(!!o.tty);
  const stderr = sink(!!o.tty);
  const stdin = Readable.from([]) as Readable & { isTTY?: boolean };
  if (o.tty) stdin.isTTY = true;
  const asked: string[] = [];
  const prompt = scriptedPrompt(o.answers ?? [], asked);
  return {
    deps: { stdout, stderr, stdin, env: { NO_COLOR: '1', ...(o.env ?? {}) }, now: o.now ?? (() => Date.now()), signals: fakeSignals(), prompt: async () => prompt },
    stdout: () => stdout.text(),
    stderr: () => stderr.text(),
    asked,
  };
}
