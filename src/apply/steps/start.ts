/** start: bring the gateway back. Undo stops it again, so the store is never restored under a running gateway. */
import type { StepDef } from './types.js';

export const start: StepDef = {
  name: 'start',
  title: () => 'Start the gateway',
  async run(tx, signal) {
    tx.startMs = tx.ports.now();
    if ((await tx.ports.gateway.isUp()) !== true) await tx.ports.gateway.start(signal);
  },
  async undo(tx) {
    // `stop`'s undo (earlier in the plan) brings it back once the store is restored.
    if ((await tx.ports.gateway.isUp()) !== false) await tx.ports.gateway.stop();
  },
};
