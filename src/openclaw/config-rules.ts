/** OpenClaw's rules for the config keys behind "pairing required", shared by the detectors and the config validator. Pure. */

export const VALID_BINDS = ['auto', 'loopback', 'lan', 'tailnet', 'custom'] as const;

/** The bind mode meant by an address a user wrote into gateway.bind. */
export function bindReplacement(bind: string): string {
  const b = bind.trim().toLowerCase();
  if (b === '127.0.0.1' || b === 'localhost' || b === '::1' || b === 'local') return 'loopback';
  if (b === '0.0.0.0' || b === '::' || b === '*' || b === 'all') return 'lan';
  return 'loopback';
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || h.startsWith('127.') || h === '::ffff:127.0.0.1';
}

export function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}
