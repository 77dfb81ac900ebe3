/**
 * several-state-dirs: more than one OpenClaw state dir holds pairing state or a config, and which one the
 * running (or service-managed) gateway uses, from its lock file or the service definition's pins.
 */
import path from 'node:path';
import type { Detector, Evidence, Finding, Snapshot } from '../types.js';

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
  // No service for this dir, but one installed for another (a profile's): that is the gateway the user runs.
  if (!svc) {
    for (const c of s.discovery?.candidates ?? []) {
      if (c.service) elsewhere.push({ dir: c.stateDir, evidence: { kind: 'file', text: `the installed gateway service is ${c.profile ? `profile "${c.profile}"'s` : 'another state dir\'s'} and uses ${c.stateDir}`, source: c.service } });
    }
  }
  if (svc && (svc.pins.stateDir || svc.pins.configPath)) {
    const pinned = svc.pins.configPath ? `OPENCLAW_CONFIG_PATH=${svc.pins.configPath}` : `OPENCLAW_STATE_DIR=${svc.pins.stateDir}`;
    const dir = svc.pins.configPath ? dirOf(svc.pins.configPath) : svc.stateDir;
    if (dir === s.stateDir) here.push(`the gateway service pins ${pinned} (${svc.path})`);
    else elsewhere.push({ dir, evidence: { kind: 'file', text: `the gateway service definition pins ${pinned}`, source: svc.path } });
  }
  return { here, elsewhere };
}

/** The clawfix flag that selects a state dir: the profile discovery knows for it, else its path. */
function flagFor(s: Snapshot, dir: string): string {
  const c = s.discovery?.candidates.find((x) => x.stateDir === dir);
  return c?.profile && path.basename(dir) === `.openclaw-${c.profile}` ? `--profile ${c.profile}` : `--state-dir ${dir}`;
}

/** The default holds no state and several other dirs do: clawfix cannot pick one; name each. */
function unchosen(s: Snapshot): Finding[] {
  const d = s.discovery;
  if (!d?.defaultEmpty || d.chosen || d.candidates.length < 2) return [];
  const flags = d.candidates.map((c) => flagFor(s, c.stateDir));
  return [
    {
      id: 'several-state-dirs',
      severity: 'warning',
      title: `No OpenClaw state in ${s.stateDir}, but ${d.candidates.length} other state dirs have some: say which one (${flags.join(', ')})`,
      detail:
        `clawfix was not told where OpenClaw's state is (no --state-dir, --profile or OPENCLAW_STATE_DIR) and the default ${s.stateDir} holds no config and no pairing store. ` +
        `Each of these does: ${d.candidates.map((c, i) => `${c.stateDir} (${flags[i]}: ${c.via.join('; ')})`).join(', ')}. Rerun clawfix with the flag of the one whose gateway you use.`,
      evidence: d.candidates.map((c) => ({ kind: 'file' as const, text: c.via.join('; '), source: c.stateDir })),
      suggestedFix: { kind: 'command', description: 'look at the state dir of the gateway you use', command: `clawfix ${flags[0]} diagnose` },
    },
  ];
}

/** Only worth naming when another state dir has its own pairing state or config: then edits may go to the wrong one. */
export const severalStateDirs: Detector = {
  id: 'several-state-dirs',
  role: 'advice',
  detect(s) {
    const none = unchosen(s);
    if (none.length) return none;
    const relevant = [...new Set([...s.otherStateDirs, ...(s.discovery?.candidates.map((c) => c.stateDir) ?? [])])];
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
          suggestedFix: { kind: 'command', description: 'look at the state dir the gateway uses', command: `clawfix ${flagFor(s, target)} diagnose` },
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
