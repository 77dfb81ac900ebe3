/**
 * One read-only snapshot of an OpenClaw install per run. Everything the detectors look at comes from
 * here; nothing in this module writes. The secrets it read (tokens, keys, the gateway token) come back
 * beside it, never inside it: the output layer's redactor learns them.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { resolveOpenClaw, type VersionRunner } from '../openclaw/binary.js';
import { gatewayPort, getString, loadConfig } from '../openclaw/config.js';
import type { CommandRunner } from '../openclaw/container.js';
import type { JsonInputs } from '../openclaw/json-store.js';
import type { RuntimeCli } from '../openclaw/container-runtime.js';
import { defaultLogFiles, scanLogs } from '../openclaw/logs.js';
import { isStateDirName, resolvePaths, storePaths, type Env, type PathFlags, type ResolvedPaths } from '../openclaw/paths.js';
import { exposedSecretFiles, stateDirAccess } from '../openclaw/permissions.js';
import { readListeners } from '../openclaw/process.js';
import { readGatewayLocks, readServiceDefinition } from '../openclaw/service.js';
import { countPairedRows } from '../openclaw/sqlite-store.js';
import { decideEra } from '../openclaw/version.js';
import { readJournal } from '../records/journal.js';
import type { ConfigSnapshot, ContainerInfo, EraInfo, OpenClawInfo, Snapshot } from '../types.js';
import { pidAlive } from '../util/pid.js';
import { containerLogFiles, locateContainer, withContainerVersion } from './container.js';
import { discoverStateDir, pointed } from './discover.js';
import { describeGateway, listenerOf, probe, type Probed } from './gateway.js';
import { attributeLogs } from './logs.js';
import { readStore } from './store.js';

export interface SnapshotOptions extends PathFlags {
  logFile?: string;
  openclaw?: string;
  /** How far back to read logs, in ms (default 24 h). */
  logWindowMs?: number;
  /** Where OpenClaw's preferred `/tmp/openclaw` log dir lives (default `/tmp`). */
  tmpRoot?: string;
  /** --container NAME / --runtime docker|podman: the gateway's container, as the user names it. */
  container?: string;
  runtime?: RuntimeCli;
}

export interface SnapshotDeps {
  env: Env;
  now: () => number;
  runVersion: VersionRunner;
  /** Runs a container runtime's CLI (docker/podman) to find and describe containers; absent: containers stay unnamed and stopped ones unseen. */
  runCommand?: CommandRunner;
}

export interface SnapshotRead {
  snapshot: Snapshot;
  /** Every secret read (device tokens, keys, the gateway token): for redaction only. */
  secrets: string[];
  /** JSON era: the store files as read (text and parsed value), so a plan need not parse them again. */
  raw?: Partial<JsonInputs>;
}

export const DAY_MS = 24 * 60 * 60 * 1000;

async function otherStateDirs(home: string, current: string): Promise<string[]> {
  try {
    const entries = await fs.readdir(home, { withFileTypes: true });
    return entries
      .filter((e) => e.isDirectory() && isStateDirName(e.name))
      .map((e) => path.join(home, e.name))
      .filter((d) => path.resolve(d) !== path.resolve(current))
      .filter((d) => ['openclaw.json', 'devices/paired.json', 'state/openclaw.sqlite'].some((f) => existsSync(path.join(d, f))))
      .sort();
  } catch {
    return [];
  }
}

async function eraOf(stateDir: string, openclaw: OpenClawInfo): Promise<EraInfo> {
  const sp = storePaths(stateDir);
  const sqliteExists = existsSync(sp.sqlite);
  return decideEra(openclaw.version, {
    jsonPairedExists: existsSync(sp.paired),
    jsonMigrated: existsSync(sp.pairedMigrated),
    sqliteExists,
    sqlitePairedRows: !openclaw.version && sqliteExists ? await countPairedRows(sp.sqlite) : 0,
  });
}

function logCandidates(opts: SnapshotOptions, paths: ResolvedPaths, config: ConfigSnapshot, nowMs: number, container: ContainerInfo | undefined): string[] {
  if (opts.logFile) return [path.resolve(opts.logFile)];
  const configured = getString(config.value, 'logging.file');
  const where = { ...(configured ? { configLoggingFile: configured } : {}), ...(paths.profile ? { profile: paths.profile } : {}), now: new Date(nowMs), ...(opts.tmpRoot ? { tmpRoot: opts.tmpRoot } : {}) };
  // A containerized gateway logs inside its container: those files, as the host sees them.
  if (container?.relation === 'outside') return containerLogFiles(container, where).filter((f) => existsSync(f));
  return defaultLogFiles({ ...where, stateDir: paths.stateDir, ...(typeof process.getuid === 'function' ? { uid: process.getuid() } : {}) }).filter((f) => existsSync(f));
}

/** The gateway's container, if it runs in one (from /proc, the runtime's CLI, or --container/--runtime). */
function findContainer(opts: SnapshotOptions, stateDir: string, deps: SnapshotDeps, listener: number | undefined): Promise<ContainerInfo | undefined> {
  const e = deps.env;
  return locateContainer({
    pid: listener,
    stateDir,
    run: deps.runCommand,
    pathEnv: {
      PATH: e.PATH,
      HOME: e.HOME,
      XDG_DATA_HOME: e.XDG_DATA_HOME,
      XDG_RUNTIME_DIR: e.XDG_RUNTIME_DIR,
      CONTAINERS_STORAGE_CONF: e.CONTAINERS_STORAGE_CONF,
      DOCKER_HOST: e.DOCKER_HOST,
      DOCKER_CONTEXT: e.DOCKER_CONTEXT,
    },
    flags: { ...(opts.container ? { container: opts.container } : {}), ...(opts.runtime ? { runtime: opts.runtime } : {}) },
  });
}

function configSecrets(config: ConfigSnapshot, env: Env): string[] {
  const fromConfig = ['gateway.auth.token', 'gateway.auth.password', 'gateway.remote.token'].map((k) => getString(config.value, k));
  return [...fromConfig, env.OPENCLAW_GATEWAY_TOKEN, env.OPENCLAW_GATEWAY_PASSWORD].filter((v): v is string => typeof v === 'string');
}

/**
 * What needs neither the gateway, its container nor the era: started at once, it runs beside them.
 * Awaited later; a failure surfaces there, not as an unhandled rejection.
 */
function readIndependent(paths: ResolvedPaths) {
  const p = Promise.all([
    readJournal(paths.stateDir),
    readServiceDefinition({ home: paths.home, stateDir: paths.stateDir, ...(paths.profile ? { profile: paths.profile } : {}), platform: process.platform }),
    stateDirAccess(paths.stateDir, typeof process.getuid === 'function' ? process.getuid() : undefined),
  ]);
  p.catch(() => undefined);
  return p;
}

export async function takeSnapshot(opts: SnapshotOptions, deps: SnapshotDeps): Promise<SnapshotRead> {
  const takenAtMs = deps.now();
  const listeners = readListeners(); // needs nothing: read while the state dir and its config are found
  const found = await discoverStateDir(resolvePaths(opts, deps.env, existsSync), pointed(opts, deps.env));
  const paths = found.paths;
  const independent = readIndependent(paths);
  const [config, hostOpenclaw, others] = await Promise.all([
    loadConfig(paths.configPath),
    resolveOpenClaw(opts.openclaw, deps.env.PATH, deps.runVersion),
    otherStateDirs(paths.home, paths.stateDir),
  ]);
  const port = gatewayPort(config.value, deps.env);
  // The gateway (and its container) first: a containerized gateway runs its image's OpenClaw, which decides the era.
  const probed: Probed = await probe(port, paths.configPath, listeners);
  const container = await findContainer(opts, paths.stateDir, deps, listenerOf(port, probed));
  const openclaw = opts.openclaw ? hostOpenclaw : withContainerVersion(hostOpenclaw, container);
  const era = await eraOf(paths.stateDir, openclaw);
  const windowMs = opts.logWindowMs ?? DAY_MS;
  const [read, scanned, [journal, svc, access], exposed] = await Promise.all([
    readStore(paths.stateDir, era),
    scanLogs(logCandidates(opts, paths, config, takenAtMs, container), { fromMs: takenAtMs - windowMs, toMs: takenAtMs + 60_000 }),
    independent,
    exposedSecretFiles(paths.stateDir, era.store, process.platform),
  ]);
  const logs = attributeLogs(scanned, port);
  const { gateway, lock } = describeGateway(port, probed, logs, container);
  const gatewayLocks = await readGatewayLocks({ configPath: paths.configPath, ...(lock ? { lock } : {}) }, others, svc.service);
  const bind = getString(config.value, 'gateway.bind');
  const authMode = getString(config.value, 'gateway.auth.mode');
  const gatewayUrl = deps.env.OPENCLAW_GATEWAY_URL;
  const snapshot: Snapshot = {
    takenAtMs,
    stateDir: paths.stateDir,
    stateDirSource: paths.stateDirSource,
    stateDirExists: existsSync(paths.stateDir),
    ...(found.discovery ? { discovery: found.discovery } : {}),
    ...(paths.profile ? { profile: paths.profile } : {}),
    config,
    openclaw,
    era,
    store: read.store,
    ...(read.legacyJson ? { legacyJson: read.legacyJson } : {}),
    ...(read.legacyDeviceAuth ? { legacyDeviceAuth: read.legacyDeviceAuth } : {}),
    identity: read.identity,
    gateway: { ...gateway, ...(bind ? { bind } : {}), ...(authMode ? { authMode } : {}) },
    logs,
    otherStateDirs: others,
    ...(journal ? { journal: { id: journal.id, command: journal.command, startedAtMs: journal.startedAtMs, running: journal.pid !== process.pid && pidAlive(journal.pid) } } : {}),
    env: { ...(gatewayUrl ? { gatewayUrl } : {}), gatewayTokenSet: !!deps.env.OPENCLAW_GATEWAY_TOKEN },
    ...(svc.service ? { service: svc.service } : {}),
    gatewayLocks,
    ...(access ? { access } : {}),
    ...(exposed.length ? { exposedSecretFiles: exposed } : {}),
  };
  return { snapshot, secrets: [...configSecrets(config, deps.env), ...read.secrets, ...svc.secrets, ...found.secrets], ...(read.raw ? { raw: read.raw } : {}) };
}
