/**
 * stop: take the gateway down (it rewrites the JSON store while it runs). Undo brings it back, but
 * never a second copy: when the original still serves after a stop that did not take effect, the
 * recorded foreground command is forgotten instead of relaunched.
 */
import { pollUntil } from '../../util/poll.js';
import type { StepDef } from './types.js';

export const stop: StepDef = {
  name: 'stop',
  title: () => 'Stop the gateway',
  async run(tx, signal) {
    const g = tx.ports.gateway;
    if ((await g.isUp()) !== false) await g.stop(signal);
  },
  async undo(tx) {
    const g = tx.ports.gateway;
    if (tx.plan.gatewayWasRunning !== true) return;
    if ((await g.isUp()) === true) {
      // A stop that reached the gateway may still be taking effect: let it settle, then start.
      const settling = g.stopIssued() && (await pollUntil(async () => (await g.isUp()) === false, { timeoutMs: tx.ports.settleMs ?? 30_000 }));
      if (!settling) {
        await g.forgetForeground(); // the original gateway is still serving: never relaunch a copy
        return;
      }
    }
    await g.start();
  },
};
