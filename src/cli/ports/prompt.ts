/**
 * The terminal prompts: the three @inquirer prompts clawfix uses (each its own package: @inquirer/prompts
 * would bring all ten), loaded on first use, drawn on stderr so stdout stays the result channel,
 * cancelled by the interrupt signal.
 */
import type { PromptPort, Streams } from './types.js';

export function inquirerPrompts(streams: Streams, signal?: AbortSignal): () => Promise<PromptPort> {
  let port: PromptPort | undefined;
  return async () => {
    if (port) return port;
    const [{ default: confirm }, { default: select }, { default: checkbox }] = await Promise.all([
      import('@inquirer/confirm'),
      import('@inquirer/select'),
      import('@inquirer/checkbox'),
    ]);
    const io = { input: streams.stdin, output: streams.stderr, ...(signal ? { signal } : {}) };
    port = {
      confirm: (message, dflt) => confirm({ message, default: dflt }, io),
      select: (message, choices) => select({ message, choices }, io),
      checkbox: (message, choices) => checkbox({ message, choices, required: true }, io),
    };
    return port;
  };
}
