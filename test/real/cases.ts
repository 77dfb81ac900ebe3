/**
 * The real-gateway era matrix as data: what each OpenClaw version needs to run offline and isolated,
 * and what a correct clawfix must see on it. Everything here was observed on that version's real
 * gateway (see the notes §7 and the report in the branch history); a field without such a run says so.
 */

/** How a client presents itself: the CLI (`cli`/`cli`) or the gateway's own backend calls (`gateway-client`/`backend`). */
export interface ClientShape {
  id: string;
  mode: string;
}

export const CLI: ClientShape = { id: 'cli', mode: 'cli' };
export const BACKEND: ClientShape = { id: 'gateway-client', mode: 'backend' };

/**
 * What the REAL sub-agent spawn (`/subagents spawn main say hi` over chat.send) does on this version,
 * starting from the state dir's own identity paired read-only:
 *   refused-admin             sessions.patch asks operator.admin and is refused; once admin is
 *                             granted the spawn is accepted (admin covers the `agent` call's write)
 *   refused-admin-then-write  2026.2.19–2.21: admin does not cover write, so granting only admin
 *                             leaves the `agent` call refused; a correct repair grants both at once
 *   not-refused               the spawn is accepted as it is (the backend call sends no identity,
 *                             or the local upgrade is approved silently): diagnose must stay clean
 *   none                      no `/subagents spawn` on this version (in-process dispatch)
 */
export type SpawnBehaviour = 'refused-admin' | 'refused-admin-then-write' | 'not-refused' | 'none';

export interface VersionCase {
  version: string;
  era: 'E2' | 'E3' | 'E4' | 'E5';
  store: 'json' | 'sqlite';
  /** The stand-in client's shape that reproduces the scope-upgrade refusal here. */
  client: ClientShape;
  /** Config keys only this version knows or needs (unknown keys make OpenClaw refuse to start). */
  config: Record<string, unknown>;
  /** Extra environment for this version's gateway. */
  env?: Record<string, string>;
  /** Readiness: /healthz answering {ok:true} (≥ 3.x), or any HTTP answer (2.x serves its Control UI at every path). */
  ready: 'healthz' | 'http';
  /** A write-scoped RPC this version knows, for "the same call now succeeds with write". */
  writeCall: { method: string; params: Record<string, unknown> };
  /** Does a local, read-only-paired device asking for write get refused (or silently approved)? */
  localScopeUpgrade: 'refused' | 'silent';
  /** The refusal's details code on the client side (null: the version sends none). */
  refusalCode: 'PAIRING_REQUIRED' | null;
  spawn: SpawnBehaviour;
  /** Keep the foreground (`openclaw gateway run`, no service manager) suite for this version. */
  foreground?: boolean;
}

/**
 * No plugins: pairing, approval and the `/subagents` command are the gateway's core, and every plugin
 * costs start time (2.21 jiti-transpiles each bundled extension: 130 s cold; 8.x/9.x load 13–14) and,
 * on 4.x–6.x, a synchronous npm install of its dependencies (which hangs offline; `browser` at start).
 */
const NO_PLUGINS = { plugins: { enabled: false } };
/**
 * 4.x–7.x build their model catalog on the first chat message by loading every bundled provider
 * plugin, synchronously (20–80 s of a blocked event loop on 2 busy cores, again after every restart).
 * This OpenClaw test switch limits that discovery to one provider; pairing is untouched by it.
 */
const ONE_PROVIDER = { OPENCLAW_TEST_ONLY_PROVIDER_PLUGIN_IDS: 'openai' };
const SQLITE_ERA = {
  ...NO_PLUGINS,
  models: { catalogRefresh: { enabled: false } },
  // Otherwise 2026.8+ approves a local scope upgrade silently and there is nothing to repair.
  gateway: { nodes: { pairing: { autoApproveLocal: false } } },
};
const CHAT_ABORT = { method: 'chat.abort', params: { sessionKey: 'agent:main:main' } };
const VAPID = { method: 'push.web.vapidPublicKey', params: {} };

export const CASES: VersionCase[] = [
  {
    version: '2026.2.21',
    era: 'E2',
    store: 'json',
    client: CLI,
    config: NO_PLUGINS,
    ready: 'http',
    writeCall: CHAT_ABORT,
    localScopeUpgrade: 'refused',
    // The gateway answers NOT_PAIRED, but 2.21's GatewayClient surfaces only `Error: pairing required`.
    refusalCode: null,
    spawn: 'refused-admin-then-write',
  },
  {
    version: '2026.3.24',
    era: 'E3',
    store: 'json',
    client: CLI,
    config: NO_PLUGINS,
    ready: 'healthz',
    writeCall: CHAT_ABORT,
    localScopeUpgrade: 'silent',
    refusalCode: null,
    spawn: 'not-refused',
  },
  {
    version: '2026.4.21',
    era: 'E4',
    store: 'json',
    client: CLI,
    config: NO_PLUGINS,
    env: ONE_PROVIDER,
    ready: 'healthz',
    writeCall: CHAT_ABORT,
    localScopeUpgrade: 'refused',
    refusalCode: 'PAIRING_REQUIRED',
    spawn: 'refused-admin',
  },
  {
    version: '2026.5.12',
    era: 'E4',
    store: 'json',
    client: CLI,
    config: NO_PLUGINS,
    env: ONE_PROVIDER,
    ready: 'healthz',
    writeCall: VAPID,
    localScopeUpgrade: 'refused',
    refusalCode: 'PAIRING_REQUIRED',
    spawn: 'not-refused',
  },
  {
    version: '2026.6.11',
    era: 'E4',
    store: 'json',
    client: CLI,
    config: NO_PLUGINS,
    ready: 'healthz',
    writeCall: VAPID,
    localScopeUpgrade: 'refused',
    refusalCode: 'PAIRING_REQUIRED',
    spawn: 'none',
  },
  {
    version: '2026.7.35',
    era: 'E4',
    store: 'json',
    // 7.35's own callGateway omits the identity when the shared token authenticates a loopback backend
    // call; a client WITH the identity is refused under token auth once the identity is paired.
    client: BACKEND,
    config: NO_PLUGINS,
    ready: 'healthz',
    writeCall: VAPID,
    localScopeUpgrade: 'refused',
    refusalCode: 'PAIRING_REQUIRED',
    spawn: 'none',
    foreground: true,
  },
  {
    version: '2026.8.1',
    era: 'E5',
    store: 'sqlite',
    client: CLI,
    config: SQLITE_ERA,
    ready: 'healthz',
    writeCall: VAPID,
    localScopeUpgrade: 'refused',
    refusalCode: 'PAIRING_REQUIRED',
    spawn: 'none',
  },
  {
    version: '2026.9.6',
    era: 'E5',
    store: 'sqlite',
    // 9.6 never pairing-checks a loopback gateway-client/backend holding the shared token, even with
    // an identity (accepted with operator.admin, no audit line): only the CLI shape reproduces.
    client: CLI,
    config: SQLITE_ERA,
    ready: 'healthz',
    writeCall: VAPID,
    localScopeUpgrade: 'refused',
    refusalCode: 'PAIRING_REQUIRED',
    spawn: 'none',
    foreground: true,
  },
];
