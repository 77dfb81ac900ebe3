/**
 * SIGINT and SIGTERM for the real process: outside a transaction clawfix leaves at once (exit 130);
 * inside one the abort signal fires and the transaction rolls back; a third signal leaves regardless
 * (the journal lets the next run recover). While an editor owns the terminal, SIGINT is the editor's.
 */
import { EXIT } from '../../util/errors.js';
import type { SignalPort } from './types.js';

export function processSignals(stderr: NodeJS.WritableStream): SignalPort {
  const controller = new AbortController();
  let active = 0;
  let interrupted = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupted++;
    if (active === 0 || interrupted > 2) {
      stderr.write(`\nclawfix: interrupted${active > 0 ? ' (rollback skipped: run clawfix again to recover)' : ''}\n`);
      process.exit(EXIT.INTERRUPTED);
    }
    stderr.write(`\nclawfix: ${sig}: rolling back…\n`);
    controller.abort(Object.assign(new Error(`interrupted by ${sig}`), { name: 'AbortError' }));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    critical() {
      active++;
      let left = false;
      return () => {
        if (!left) {
          left = true;
          active--;
        }
      };
    },
    atExit(fn) {
      process.once('exit', fn);
      return () => {
        process.removeListener('exit', fn);
      };
    },
    async whileChildOwnsTerminal(fn) {
      const ignore = () => undefined;
      process.removeListener('SIGINT', onSignal);
      process.on('SIGINT', ignore);
      try {
        return await fn();
      } finally {
        process.removeListener('SIGINT', ignore);
        process.on('SIGINT', onSignal);
      }
    },
  };
}
