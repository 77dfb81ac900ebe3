/**
 * Remote mode, as a fact about the snapshot (shared by the detectors and the guards): the config is a
 * client's (`gateway.mode: "remote"` with a `gateway.remote.url`) and no gateway runs from it here.
 * OpenClaw refuses to start a gateway from a remote-mode config (`Gateway start blocked: set
 * gateway.mode=local`, package code 2026.2.21–9.6) unless started with --allow-unconfigured: a live
 * gateway lock file for this very config is that case. Pure.
 */
import { getString } from '../openclaw/config.js';
import { hostOf, isLoopbackHost } from '../openclaw/config-rules.js';
import type { Snapshot } from '../types.js';

export interface RemoteGateway {
  url: string;
  /** Host of the URL (undefined when it does not parse). */
  host?: string;
  /** The URL is loopback: an SSH tunnel (or port forward) to the gateway host. */
  tunnel: boolean;
}

/** The remote gateway this config is a client of; undefined in local mode or when a gateway runs from this config here. */
export function remoteGateway(s: Snapshot): RemoteGateway | undefined {
  if (getString(s.config.value, 'gateway.mode') !== 'remote') return undefined;
  const url = getString(s.config.value, 'gateway.remote.url')?.trim();
  if (!url) return undefined;
  if ((s.gatewayLocks ?? []).some((l) => l.configPath === s.config.path)) return undefined;
  const host = hostOf(url);
  return { url, ...(host ? { host } : {}), tunnel: host !== undefined && isLoopbackHost(host) };
}
