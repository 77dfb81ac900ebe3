/** gateway-not-running, several-state-dirs and gateway-token-mismatch: the surroundings of pairing. */
import path from 'node:path';
import type { Detector, Evidence, Snapshot } from '../types.js';
import { gatewayStartMs, logFacts } from './log-facts.js';
import { logEvidence } from './util.js';

export const gatewayNotRunning: Detector = {
  id: 'gateway-not-running',
  detect(s) {
    if (s.gateway.running !== false) return [];
    return [
      {
        id: 'gateway-not-running',
        severity: 'warning',
        title: s.config.error
          ? `Nothing answers on 127.0.0.1:${s.gateway.port} (the default port: the config could not be read, so the real port is unknown)`
          : `The gateway is not running (nothing answers on 127.0.0.1:${s.gateway.port})`,
        detail: 'Sub-agents cannot connect to a stopped gateway; the errors then read "abnormal closure (1006)", not "pairing required".',
        evidence: [{ kind: 'process', text: `GET http://127.0.0.1:${s.gateway.port}/healthz: connection refused` }],
        suggestedFix: { kind: 'command', description: 'start the gateway service', command: 'openclaw gateway start' },
      },
    ];
  },
};

/** Which state dir a running (or service-managed) gateway uses: its lock file's configPath, or the service definition's pins. */
function gatewayUse(s: Snapshot): { here: string[]; elsewhere: { dir: string; evidence: Evidence }[] } {
  const dirs = [s.stateDir, ...s.otherStateDirs];
  const dirOf = (configPath: string) => (configPath === s.config.path ? s.stateDir : (dirs.find((d) => path.dirname(configPath) === d) ?? path.dirname(configPath)));
  const here: string[] = [];
  const elsewhere: { dir: string; evidence: Evidence }[] = [];
  for (const l of s.gatewayLocks ?? []) {
    if (!l.configPath) continue;
    const dir = dirOf(l.configPath);
    if (dir === s.stateDir) here.push(`pid ${l.pid}, from its lock file ${l.lockPath}`);
    else elsewhere.push({ dir, evidence: { kind: 'process', text: `a running gateway (pid ${l.pid}) uses ${l.configPath}`, source: l.lockPath } });
  }
  const svc = s.service;
  if (svc && (svc.pins.stateDir || svc.pins.configPath)) {
    const pinned = svc.pins.configPath ? `OPENCLAW_CONFIG_PATH=${svc.pins.configPath}` : `OPENCLAW_STATE_DIR=${svc.pins.stateDir}`;
    const dir = svc.pins.configPath ? dirOf(svc.pins.configPath) : svc.stateDir;
    if (dir === s.stateDir) here.push(`the gateway service pins ${pinned} (${svc.path})`);
    else elsewhere.push({ dir, evidence: { kind: 'file', text: `the gateway service definition pins ${pinned}`, source: svc.path } });
  }
  return { here, elsewhere };
}

/** Only worth naming when another state dir has its own pairing state or config: then edits may go to the wrong one. */
export const severalStateDirs: Detector = {
  id: 'several-state-dirs',
  detect(s) {
    const relevant = s.otherStateDirs;
    if (!relevant.length) return [];
    const use = gatewayUse(s);
    const title = `${relevant.length + 1} OpenClaw state dirs exist; clawfix is looking at ${s.stateDir}`;
    const others = relevant.map((d) => ({ kind: 'file' as const, text: 'another state dir with pairing state or config', source: d }));
    // The gateway demonstrably uses another dir and nothing ties one to this dir: the fix would go to the wrong place.
    if (use.elsewhere.length && !use.here.length) {
      const target = use.elsewhere[0]!.dir;
      return [
        {
          id: 'several-state-dirs',
          severity: 'warning',
          title: `${title}, but the gateway uses ${target}`,
          detail:
            `clawfix uses ${s.stateDir} (from ${s.stateDirSource}), while the gateway runs with the state in ${target}. ` +
            'Findings and repairs here do not reach that gateway; editing the wrong state dir is a common reason fixes "do nothing". Rerun clawfix against the gateway\'s state dir.',
          evidence: [...use.elsewhere.map((e) => e.evidence), ...others],
          suggestedFix: { kind: 'command', description: 'look at the state dir the gateway uses', command: `clawfix --state-dir ${target} diagnose` },
        },
      ];
    }
    const which = use.here.length
      ? `The running gateway uses this one (${use.here.join('; ')}).${use.elsewhere.length ? ` Another gateway uses ${[...new Set(use.elsewhere.map((e) => e.dir))].join(', ')}.` : ''} `
      : 'The gateway uses exactly one of them (chosen by OPENCLAW_STATE_DIR, OPENCLAW_PROFILE or --profile). ';
    return [
      {
        id: 'several-state-dirs',
        severity: 'info',
        title,
        detail:
          `${which}clawfix uses ${s.stateDir} (from ${s.stateDirSource}). ` +
          'If the gateway you care about uses another, rerun with --state-dir or --profile; editing the wrong one is a common reason fixes "do nothing".',
        evidence: [...use.elsewhere.map((e) => e.evidence), ...others],
        suggestedFix: { kind: 'manual', description: 'confirm which state dir the gateway service uses (openclaw gateway status shows Config (service))' },
      },
    ];
  },
};

export const gatewayTokenMismatch: Detector = {
  id: 'gateway-token-mismatch',
  detect(s) {
    const start = gatewayStartMs(s);
    const hits = logFacts(s).gatewayTokenMismatch.filter((e) => start === undefined || e.timeMs >= start);
    if (!hits.length) return [];
    return [
      {
        id: 'gateway-token-mismatch',
        severity: 'warning',
        title: 'A client presents the wrong shared gateway token (not a pairing problem)',
        detail:
          '"gateway token mismatch" means the shared secret differs (gateway.auth.token vs the caller\'s token, often a stale OPENCLAW_GATEWAY_TOKEN baked into the service). ' +
          'Approving devices does not help; align the token.',
        evidence: hits.slice(-2).map(logEvidence),
        suggestedFix: { kind: 'command', description: 're-install the service so it picks up the config token', command: 'openclaw gateway install --force' },
      },
    ];
  },
};

/** A repair that was cut short (kill -9, power loss): the next fix/rollback/wizard run recovers it. */
export const interruptedRepair: Detector = {
  id: 'interrupted-repair',
  detect(s) {
    const j = s.journal;
    if (!j) return [];
    return [
      {
        id: 'interrupted-repair',
        severity: j.running ? 'info' : 'error',
        title: j.running ? `A clawfix ${j.command} (${j.id}) is running right now` : `A clawfix ${j.command} (${j.id}) was interrupted and must be recovered`,
        detail: j.running
          ? 'Another clawfix process is in the middle of a transaction on this state dir; what is read now may change when it finishes.'
          : 'Its journal is still in the state dir: the store may be stopped mid-way or hold a half-finished repair. The next `clawfix fix` (or `clawfix` on a terminal) finishes it if it was written completely, otherwise restores the backup, and restarts the gateway if it was running.',
        evidence: [{ kind: 'file', text: `journal of ${j.command} ${j.id}, started ${new Date(j.startedAtMs).toISOString()}`, source: `${s.stateDir}/clawfix/journal.json` }],
        suggestedFix: { kind: 'clawfix', description: 'recover the interrupted transaction', command: 'clawfix fix --yes' },
      },
    ];
  },
};
