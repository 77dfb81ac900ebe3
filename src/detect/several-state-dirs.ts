/**
 * several-state-dirs: more than one OpenClaw state dir holds pairing state or a config, and which one the
 * running (or service-managed) gateway uses, from its lock file or the service definition's pins.
 */
import path from 'node:path';
import type { Detector, Evidence, Snapshot } from '../types.js';

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
  role: 'advice',
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
