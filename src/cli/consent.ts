/** The one consent rule: without a terminal to ask on, a command that changes something needs its flag. */
import { UsageError } from '../util/errors.js';
import type { Ctx } from './context.js';

export function requireConsent(ctx: Ctx, given: boolean, hint: string): void {
  if (!given && !ctx.out.interactive) throw new UsageError('no terminal to ask for consent', hint);
}
