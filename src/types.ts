/**
 * Shared shapes of clawfix: the read-only snapshot of an OpenClaw install, the findings detectors
 * derive from it, and the plans that repair them. Nothing here performs I/O.
 */

export type StoreKind = 'json' | 'sqlite';
export type Severity = 'error' | 'warning' | 'info';

/** One role token of a paired device. The token string itself is never kept: only a short hash. */
export interface TokenSummary {
  role: string;
  scopes: string[];
  /** sha256 of the token, first 12 hex chars; lets detectors compare tokens without holding them. */
  tokenHash?: string;
  createdAtMs?: number;
  rotatedAtMs?: number;
  revokedAtMs?: number;
}

export interface PairedDevice {
  deviceId: string;
  displayName?: string;
  clientId?: string;
  clientMode?: string;
  platform?: string;
  role?: string;
  roles: string[];
  /** `scopes` as stored (undefined when the field is absent). */
  scopes?: string[];
  /** `approvedScopes` as stored (undefined when the field is absent). */
  approvedScopes?: string[];
  tokens: TokenSummary[];
  createdAtMs?: number;
  approvedAtMs?: number;
}

export interface PendingRequest {
  requestId: string;
  deviceId: string;
  role?: string;
  roles: string[];
  scopes: string[];
  clientId?: string;
  clientMode?: string;
  displayName?: string;
  isRepair?: boolean;
  silent?: boolean;
  ts: number;
  refreshedAtMs?: number;
}

/** The shape a JSON store was found in: OpenClaw's own map, or the array shapes guides show. */
export type JsonStoreShape = 'map' | 'array' | 'devices-wrapper';

export interface StoreSnapshot {
  kind: StoreKind;
  /** Files (JSON) or database (SQLite) the data came from. */
  paths: string[];
  ok: boolean;
  /** Readable explanation when `ok` is false (which file, what is wrong). */
  error?: string;
  errorPath?: string;
  paired: PairedDevice[];
  pending: PendingRequest[];
  shape?: JsonStoreShape;
  /** Keys of paired.json entries that look like pending requests (requestId, no publicKey match). */
  strayPendingInPaired?: string[];
  /** Store files that start with a UTF-8 byte-order mark: OpenClaw's reader (`JSON.parse(buf.toString('utf8'))`) rejects them. */
  bomFiles?: string[];
}

export interface LogEvent {
  /** Epoch ms of the line (from `time`, `_meta.date` or the console prefix). */
  timeMs: number;
  /** The human text of the line (message). */
  text: string;
  /** Structured meta object of JSON lines (e.g. `closed before connect` carries deviceId/requestId). */
  meta?: Record<string, unknown>;
  level?: string;
  subsystem?: string;
  file: string;
  format: 'json' | 'console';
}

export interface LogScan {
  files: string[];
  fromMs: number;
  toMs: number;
  /** Relevant lines only, oldest first. */
  events: LogEvent[];
  bytesRead: number;
  /** True when the window start was not reached because of the byte budget. */
  truncated: boolean;
  /** Shared rolling files that also hold another gateway's lines (its port): those lines are not counted. */
  foreign?: { file: string; ports: number[] }[];
}

export interface ConfigSnapshot {
  path: string;
  exists: boolean;
  /** Parsed JSON5 (undefined when missing or unreadable). */
  value?: Record<string, unknown>;
  error?: string;
  mtimeMs?: number;
}

export type ContainerRuntime = 'docker' | 'podman' | 'containerd' | 'kubernetes' | 'lxc' | 'unknown';

export interface ContainerInfo {
  /** outside: clawfix runs on the host, the gateway in a container; inside: clawfix runs in the gateway's own container. */
  relation: 'outside' | 'inside';
  runtime: ContainerRuntime;
  /** Container id (hex) when the cgroup names it. */
  id?: string;
  /** Container name, when the runtime's CLI could tell. */
  name?: string;
  /** cgroup / pid-namespace / port-proxy / main-process: from /proc; mount: a container that mounts this state dir (also a stopped one); flag: --container. */
  via: 'cgroup' | 'pid-namespace' | 'port-proxy' | 'main-process' | 'mount' | 'flag';
  /** The pid that answers the gateway port, as seen from clawfix (0: nothing answers, the container is stopped). */
  pid: number;
  /** outside, known to a runtime's CLI: which CLI answered, and whether the container runs. */
  cli?: 'docker' | 'podman';
  running?: boolean;
  /** Host pid of the container's first process while it runs (a port forwarder's pid is no view into the container). */
  mainPid?: number;
  /** The mount that holds this state dir: its host path, and the state dir as the container sees it. */
  stateMount?: { source: string; destination: string; containerStateDir: string; rw: boolean };
  /** The compose project and service that manage the container. */
  compose?: { project: string; service: string; workingDir?: string };
  /** Other containers that mount this state dir too (names). */
  others?: string[];
  /** The container's writable layer on the host (overlay drivers): the files it wrote outside its mounts. */
  upperDir?: string;
  /** inside: the state dir's source as /proc/self/mountinfo shows it (the host path when the host's root filesystem holds it). */
  hostStateDir?: string;
}

export interface GatewaySnapshot {
  port: number;
  /** The gateway runs in a container (seen from the host), or is the main process of the container clawfix runs in. */
  container?: ContainerInfo;
  /** true: answered on loopback; false: nothing listens; null: could not tell. */
  running: boolean | null;
  probe: 'healthz' | 'tcp' | 'none';
  pid?: number;
  startedAtMs?: number;
  bind?: string;
  authMode?: string;
}

export interface OpenClawInfo {
  executable?: string;
  version?: string;
  versionSource: 'package.json' | 'cli' | 'none';
  error?: string;
}

export interface EraInfo {
  /** E0..E5 as in the notes, or 'unknown'. */
  era: 'E0' | 'E1' | 'E2' | 'E3' | 'E4' | 'E5' | 'unknown';
  store: StoreKind;
  /** One sentence a user can read: why this store is taken as authoritative. */
  reason: string;
  /** Whether this OpenClaw silently approves local scope upgrades (undefined: unknown). */
  localScopeUpgradeSilent?: boolean;
}

export interface IdentitySnapshot {
  /** The local CLI / sub-agent identity's deviceId (identity/device.json or device_identities). */
  deviceId?: string;
  path?: string;
  error?: string;
  /** Cached client token (device-auth.json / device_auth_tokens) for role operator, hashed. */
  cachedToken?: { role: string; scopes: string[]; tokenHash?: string; updatedAtMs?: number };
}

export interface Snapshot {
  takenAtMs: number;
  stateDir: string;
  /** discovered: clawfix was not told where to look, the default dir holds no OpenClaw state, and exactly one other state dir does (see `discovery`). */
  stateDirSource: 'flag' | 'env' | 'profile' | 'default' | 'discovered';
  stateDirExists: boolean;
  /** Set when clawfix was not told where to look (no --state-dir/--profile/--config, no OPENCLAW_* location env). */
  discovery?: StateDirDiscovery;
  profile?: string;
  config: ConfigSnapshot;
  openclaw: OpenClawInfo;
  era: EraInfo;
  store: StoreSnapshot;
  /** The other generation's store when it is present too (e.g. a leftover paired.json on SQLite). */
  legacyJson?: { paths: string[]; deviceCount: number; migrated: boolean };
  /** SQLite era: a JSON-era client token cache (identity/device-auth.json) still in the state dir. */
  legacyDeviceAuth?: string;
  identity: IdentitySnapshot;
  gateway: GatewaySnapshot;
  logs: LogScan;
  /** Other OpenClaw state dirs found in the home dir (profiles, legacy names). */
  otherStateDirs: string[];
  /** A clawfix transaction journal in this state dir (a repair in progress, or one that was cut short). */
  journal?: { id: string; command: string; startedAtMs: number; running: boolean };
  env: { gatewayUrl?: string; gatewayTokenSet: boolean };
  /** The OS service definition of this state dir's gateway (systemd unit, LaunchAgent, gateway.cmd), when one exists. */
  service?: ServiceSnapshot;
  /** Live OpenClaw gateway lock files for this config and the other state dirs' configs (which config a running gateway uses). */
  gatewayLocks?: GatewayLockInfo[];
  /** Whether the user clawfix runs as can write this state dir (POSIX; absent when the dir does not exist). */
  access?: StateDirAccess;
  /** Token and key files of this state dir that group or others can read (OpenClaw writes them 0600). */
  exposedSecretFiles?: ExposedFile[];
}

/** An OpenClaw state dir found without being pointed at: a profile dir in the home dir, or one a gateway service uses. */
export interface StateDirCandidate {
  stateDir: string;
  /** The profile that selects it (`--profile NAME`), when one does. */
  profile?: string;
  /** The config its gateway uses, when a service pins one. */
  configPath?: string;
  /** The gateway service definition that uses it, when one does. */
  service?: string;
  /** How it was found, one phrase each (e.g. "the systemd unit openclaw-gateway-work.service pins it"). */
  via: string[];
}

export interface StateDirDiscovery {
  /** The default state dir (~/.openclaw) holds no config and no pairing store. */
  defaultEmpty: boolean;
  /** State dirs other than the default that hold OpenClaw state. */
  candidates: StateDirCandidate[];
  /** The candidate clawfix took because it was the only one (the snapshot's state dir is then this one). */
  chosen?: StateDirCandidate;
}

export interface StateDirAccess {
  /** The uid clawfix runs as. */
  uid: number;
  /** The first dir a repair writes in (the state dir, devices/, identity/, state/, clawfix/) that this uid cannot write. */
  notWritable?: string;
  /** Owner of `notWritable` (else of the state dir). */
  ownerUid: number;
  ownerName?: string;
}

export interface ExposedFile {
  path: string;
  /** Permission bits, e.g. 0o644. */
  mode: number;
}

/** A gateway service definition as found on disk. Secrets are never kept: the baked token only as a hash. */
export interface ServiceSnapshot {
  kind: 'systemd' | 'launchd' | 'windows-task';
  path: string;
  /** sha256 hex of OPENCLAW_GATEWAY_TOKEN baked into the definition (absent when none is). */
  tokenHash?: string;
  /** OPENCLAW_STATE_DIR / OPENCLAW_CONFIG_PATH / OPENCLAW_PROFILE pinned in the definition's environment. */
  pins: { stateDir?: string; configPath?: string; profile?: string };
  /** The state dir and config the service's gateway uses (pins, else OpenClaw's defaults for its profile). */
  stateDir: string;
  configPath: string;
  error?: string;
}

export interface GatewayLockInfo {
  pid: number;
  /** The config the running gateway was started with (from its lock file). */
  configPath?: string;
  lockPath: string;
  startedAtMs?: number;
}

export type FindingId =
  | 'scope-upgrade'
  | 'role-upgrade'
  | 'token-invalidated'
  | 'token-scope-mismatch'
  | 'legacy-store-ignored'
  | 'non-loopback'
  | 'invalid-bind'
  | 'pending-expired'
  | 'first-time-pairing'
  | 'store-unreadable'
  | 'gateway-not-running'
  | 'several-state-dirs'
  | 'gateway-token-mismatch'
  | 'era-never-approves'
  | 'config-edited-while-running'
  | 'stale-service-token'
  | 'interrupted-repair'
  | 'gateway-in-container'
  | 'legacy-device-auth'
  | 'store-bom'
  | 'state-dir-not-writable'
  | 'secrets-readable'
  | 'openclaw-not-found'
  | 'identity-changed'
  | 'detector-failed';

export interface Evidence {
  kind: 'log' | 'file' | 'store' | 'config' | 'process' | 'version';
  /** Already redacted, one line. */
  text: string;
  /** File path (and line context) the evidence came from. */
  source?: string;
  timeMs?: number;
  /** A gateway audit line (`security audit: device access upgrade requested`), field by field, each whole. */
  audit?: AuditFields;
}

export interface AuditFields {
  reason: string;
  deviceId: string;
  scopesFrom: string[];
  scopesTo: string[];
  client: string;
  /** The connection id, when the line names it. */
  conn?: string;
  ip: string;
  auth: string;
  roleFrom: string;
  roleTo: string;
}

export interface SuggestedFix {
  /** 'clawfix': `clawfix fix` repairs it; 'command': run the given command; 'manual': explained steps. */
  kind: 'clawfix' | 'command' | 'manual';
  description: string;
  command?: string;
}

/** One gateway RPC a sub-agent spawn makes with this machine's own identity, and the scope it needs. */
export interface SpawnCall {
  call: string;
  scope: string;
}

export interface Finding {
  id: FindingId;
  severity: Severity;
  title: string;
  /** Plain-words explanation of the cause. */
  detail: string;
  evidence: Evidence[];
  device?: { deviceId: string; displayName?: string; clientId?: string };
  requestId?: string;
  requestedScopes?: string[];
  approvedScopes?: string[];
  missingScopes?: string[];
  /** The refused connections are a sub-agent spawn: the calls it makes and the scope each needs (all planned in one repair). */
  spawn?: { calls: SpawnCall[] };
  suggestedFix: SuggestedFix;
}

/** cause: why sub-agents are refused (or why a repair cannot run); advice: what keeps it from coming back. */
export type FindingRole = 'cause' | 'advice';

/** One check: a pure function of the snapshot, named by the finding it produces. */
export interface Detector {
  id: Exclude<FindingId, 'detector-failed'>;
  role: FindingRole;
  detect(snapshot: Snapshot): Finding[];
}
