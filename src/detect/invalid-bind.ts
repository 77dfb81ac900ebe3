/**
 * invalid-bind: gateway.bind holds an address (0.0.0.0, localhost) instead of one of OpenClaw's bind modes.
 */
import { get } from '../openclaw/config.js';
import type { Detector } from '../types.js';
import { bindReplacement, VALID_BINDS } from '../openclaw/config-rules.js';

export const invalidBind: Detector = {
  id: 'invalid-bind',
  role: 'cause',
  detect(s) {
    const bind = get(s.config.value, 'gateway.bind');
    if (bind === undefined || (typeof bind === 'string' && (VALID_BINDS as readonly string[]).includes(bind))) return [];
    const shown = typeof bind === 'string' ? bind : JSON.stringify(bind);
    const fix = typeof bind === 'string' ? bindReplacement(bind) : 'loopback';
    return [
      {
        id: 'invalid-bind',
        severity: 'error',
        title: `gateway.bind is "${shown}", which OpenClaw does not accept`,
        detail: `Valid values are ${VALID_BINDS.join(', ')}. "${shown}" looks like an address; the mode for it is "${fix}" (with "custom" plus gateway.customBindHost for a specific address).`,
        evidence: [{ kind: 'config', text: `gateway.bind = ${shown}`, source: s.config.path }],
        suggestedFix: { kind: 'manual', description: `set gateway.bind to "${fix}" with the gateway stopped (clawfix edit-config does this safely)`, command: `openclaw config set gateway.bind ${fix}` },
      },
    ];
  },
};
