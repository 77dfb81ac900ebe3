/** The live step list of a transaction: a spinner on the running step (TTY only), then ✔/✖/↺ lines on stderr. */
import type { Step, StepEvent } from '../../apply/pipeline.js';
import { makeSpinner } from '../../util/spinner.js';
import type { Out } from '../io.js';
import type { Streams } from '../ports/types.js';

const MARK: Partial<Record<StepEvent, string>> = { done: '✔', fail: '✖', undone: '↺', 'undo-failed': '✖' };

export function stepReporter(out: Out, streams: Streams, env: Readonly<Record<string, string | undefined>>) {
  const c = out.colors;
  const spin = makeSpinner(streams.stderr, !out.json && !env.CI);
  return (step: Step, ev: StepEvent, err?: Error) => {
    if (ev === 'start' || ev === 'undo') {
      out.debug(`… ${ev === 'undo' ? 'undoing: ' : ''}${step.title}`);
      spin.start(ev === 'undo' ? `Undoing: ${step.title}` : step.title);
      return;
    }
    spin.stop();
    const mark = MARK[ev] ?? '·';
    const color = ev === 'done' ? c.green : ev === 'undone' ? c.yellow : c.red;
    const label = ev === 'undone' ? `undid: ${step.title}` : ev === 'undo-failed' ? `could not undo: ${step.title}` : step.title;
    out.info(`${color(mark)} ${label}${err ? c.dim(` — ${err.message}`) : ''}`);
  };
}
