/**
 * One read-only snapshot of an OpenClaw install per run. Everything the detectors look at comes from
 * here; nothing in this module writes.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { loadConfig, gatewayPort, getString } from '../openclaw/config.js';
import { resolveOpenClaw, type VersionRunner } from '../openclaw/binary.js';
import { classifyGateway, describeContainer, selfContainerMarker, type CommandRunner, type ContainerInfo } from '../openclaw/container.js';
import { probeGateway, readGatewayLock } from '../openclaw/gateway-probe.js';
import { pidListeningOn, readPlacement } from '../openclaw/process.js';
import { pairedEntries, readJsonStore, readRawJson, tokenHash } from '../openclaw/json-store.js';
import { defaultLogFiles, scanLogs } from '../openclaw/logs.js';
import { isStateDirName, resolvePaths, storePaths, type Env, type PathFlags } from '../openclaw/paths.js';
import { countPairedRows, readSqliteStore } from '../openclaw/sqlite-store.js';
import { decideEra } from '../openclaw/version.js';
import { readGatewayLocks, readServiceDefinition } from '../openclaw/service.js';
import type { IdentitySnapshot, LogScan, Snapshot, StoreSnapshot } from '../types.js';
import { registerSecret } from '../util/redact.js';
import { pidAlive, readJournal } from '../apply/journal.js';

export interface SnapshotOptions extends PathFlags {
  logFile?: string;
  openclaw?: string;
  /** How far back to read logs, in ms (default 24 h). */
  logWindowMs?: number;
}

export interface SnapshotDeps {
  env: Env;
  now: () => number;
  runVersion: VersionRunner;
  /** Runs a container runtime's CLI (docker/podman) to name a container; absent: containers stay unnamed. */
  runCommand?: CommandRunner;
}

/**
 * Where the process answering the gateway port runs, when it is not an ordinary process beside
 * clawfix (a container seen from the host, or clawfix inside the gateway's own container).
 */
async function gatewayContainer(pid: number | undefined, port: number, run: CommandRunner | undefined): Promise<ContainerInfo | undefined> {
  if (pid === undefined) return undefined;
  const info = classifyGateway({ gateway: readPlacement(pid), self: readPlacement('self'), init: readPlacement(1), selfMarker: selfContainerMarker() });
  return info && run ? describeContainer(info, port, run) : info;
}

export const DAY_MS = 24 * 60 * 60 * 1000;

async function readJsonIdentity(stateDir: string): Promise<IdentitySnapshot> {
  const p = storePaths(stateDir);
  const id: IdentitySnapshot = {};
  const dev = await readRawJson(p.identity);
  if (dev.error) id.error = dev.error;
  else if (dev.value && typeof dev.value === 'object') {
    const v = dev.value as Record<string, unknown>;
    registerSecret(v.privateKeyPem);
    registerSecret(v.privateKey);
    if (typeof v.deviceId === 'string') {
      id.deviceId = v.deviceId;
      id.path = p.identity;
    }
  }
  const auth = await readRawJson(p.deviceAuth);
  if (auth.value && typeof auth.value === 'object') {
    const tokens = (auth.value as { tokens?: Record<string, { token?: unknown; scopes?: unknown; updatedAtMs?: unknown }> }).tokens;
    const op = tokens?.operator;
    if (op) {
      registerSecret(op.token);
      const h = tokenHash(op.token);
      id.cachedToken = {
        role: 'operator',
        scopes: Array.isArray(op.scopes) ? op.scopes.filter((s): s is string => typeof s === 'string') : [],
        ...(h ? { tokenHash: h } : {}),
        ...(typeof op.updatedAtMs === 'number' ? { updatedAtMs: op.updatedAtMs } : {}),
      };
    }
  }
  return id;
}

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

export async function takeSnapshot(opts: SnapshotOptions, deps: SnapshotDeps): Promise<Snapshot> {
  const takenAtMs = deps.now();
  const paths = resolvePaths(opts, deps.env, existsSync);
  const sp = storePaths(paths.stateDir);

  const [config, openclaw, others] = await Promise.all([
    loadConfig(paths.configPath),
    resolveOpenClaw(opts.openclaw, deps.env.PATH, deps.runVersion),
    otherStateDirs(paths.home, paths.stateDir),
  ]);
  registerSecret(getString(config.value, 'gateway.auth.token'));
  registerSecret(getString(config.value, 'gateway.auth.password'));
  registerSecret(getString(config.value, 'gateway.remote.token'));
  registerSecret(deps.env.OPENCLAW_GATEWAY_TOKEN);
  registerSecret(deps.env.OPENCLAW_GATEWAY_PASSWORD);

  const jsonPairedExists = existsSync(sp.paired);
  const sqliteExists = existsSync(sp.sqlite);
  const needRowCount = !openclaw.version && sqliteExists;
  const era = decideEra(openclaw.version, {
    jsonPairedExists,
    jsonMigrated: existsSync(sp.pairedMigrated),
    sqliteExists,
    sqlitePairedRows: needRowCount ? await countPairedRows(sp.sqlite) : 0,
  });

  const port = gatewayPort(config.value, deps.env);
  const windowMs = opts.logWindowMs ?? DAY_MS;
  const logCandidates = opts.logFile
    ? [path.resolve(opts.logFile)]
    : defaultLogFiles({
        ...(getString(config.value, 'logging.file') ? { configLoggingFile: getString(config.value, 'logging.file') as string } : {}),
        ...(paths.profile ? { profile: paths.profile } : {}),
        stateDir: paths.stateDir,
        now: new Date(takenAtMs),
      });

  let store: StoreSnapshot;
  let identity: IdentitySnapshot;
  let legacyJson: Snapshot['legacyJson'];
  const storePromise = (async () => {
    if (era.store === 'sqlite') {
      const r = await readSqliteStore(sp.sqlite);
      store = r.snapshot;
      identity = r.identity;
      if (jsonPairedExists) {
        const raw = await readRawJson(sp.paired);
        legacyJson = {
          paths: [sp.paired],
          deviceCount: raw.value !== undefined ? (pairedEntries(raw.value)?.entries.length ?? 0) : 0,
          migrated: existsSync(sp.pairedMigrated),
        };
      }
    } else {
      const r = await readJsonStore(paths.stateDir);
      store = r.snapshot;
      if (!r.paired.exists && store.ok) {
        store.ok = false;
        store.error = `${sp.paired} does not exist: OpenClaw has not paired any device in this state dir`;
        store.errorPath = sp.paired;
      }
      identity = await readJsonIdentity(paths.stateDir);
    }
  })();

  const journal = await readJournal(paths.stateDir);
  const [, probe, lock, logs] = await Promise.all([
    storePromise,
    probeGateway(port),
    readGatewayLock(paths.configPath),
    scanLogs(
      logCandidates.filter((f) => existsSync(f)),
      { fromMs: takenAtMs - windowMs, toMs: takenAtMs + 60_000 },
    ) as Promise<LogScan>,
  ]);

  let startedAtMs = lock?.createdAtMs;
  if (startedAtMs === undefined && probe.running) {
    const listen = [...logs.events].reverse().find((e) => /listening on /.test(e.text));
    if (listen) startedAtMs = listen.timeMs;
  }

  // Who really answers the port; a lock file's pid is only a fallback (a container sharing /tmp writes its
  // own namespace's pid there, e.g. 1).
  const listener = probe.running !== false ? (pidListeningOn(port) ?? lock?.pid) : undefined;
  const container = await gatewayContainer(listener, port, deps.runCommand);

  const service = await readServiceDefinition({ home: paths.home, stateDir: paths.stateDir, ...(paths.profile ? { profile: paths.profile } : {}), platform: process.platform });
  const gatewayLocks = await readGatewayLocks({ configPath: paths.configPath, ...(lock ? { lock } : {}) }, others, service);

  const gatewayUrl = deps.env.OPENCLAW_GATEWAY_URL;
  return {
    takenAtMs,
    stateDir: paths.stateDir,
    stateDirSource: paths.stateDirSource,
    stateDirExists: existsSync(paths.stateDir),
    ...(paths.profile ? { profile: paths.profile } : {}),
    config,
    openclaw,
    era,
    store: store!,
    ...(legacyJson ? { legacyJson } : {}),
    identity: identity!,
    gateway: {
      port,
      running: probe.running,
      probe: probe.probe,
      ...(lock ? { pid: lock.pid } : {}),
      ...(container ? { container } : {}),
      ...(startedAtMs !== undefined ? { startedAtMs } : {}),
      ...(getString(config.value, 'gateway.bind') ? { bind: getString(config.value, 'gateway.bind') } : {}),
      ...(getString(config.value, 'gateway.auth.mode') ? { authMode: getString(config.value, 'gateway.auth.mode') } : {}),
    },
    logs,
    otherStateDirs: others,
    ...(journal ? { journal: { id: journal.id, command: journal.command, startedAtMs: journal.startedAtMs, running: journal.pid !== process.pid && pidAlive(journal.pid) } } : {}),
    env: { ...(gatewayUrl ? { gatewayUrl } : {}), gatewayTokenSet: !!deps.env.OPENCLAW_GATEWAY_TOKEN },
    ...(service ? { service } : {}),
    gatewayLocks,
  };
}
