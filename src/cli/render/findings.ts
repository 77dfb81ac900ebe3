/** Human rendering of a snapshot's summary and of findings; the diagnose JSON document. */
import type { Finding, Snapshot } from '../../types.js';
import type { Out } from '../io.js';

/** Where the state dir came from; a discovered one says how it was found and which flag names it. */
function stateDirSource(s: Snapshot): string {
  const chosen = s.discovery?.chosen;
  if (s.stateDirSource !== 'discovered' || !chosen) return `from ${s.stateDirSource}`;
  const flag = s.profile && s.stateDir.endsWith(`.openclaw-${s.profile}`) ? `--profile ${s.profile}` : `--state-dir ${s.stateDir}`;
  return `discovered: the only OpenClaw state dir here, ${chosen.via.join('; ')}; same as ${flag}`;
}

export function describeSnapshot(s: Snapshot, out: Out): string[] {
  const c = out.colors;
  const lines = [
    `${c.bold('OpenClaw')}  ${s.openclaw.version ?? c.yellow('version unknown')}${s.openclaw.executable ? c.dim(` (${s.openclaw.executable})`) : ''}`,
    `${c.bold('State')}     ${s.stateDir}${c.dim(` (${stateDirSource(s)})`)}`,
    `${c.bold('Config')}    ${s.config.path}${s.config.exists ? '' : c.dim(' (missing)')}`,
    `${c.bold('Store')}     ${s.store.kind === 'sqlite' ? 'SQLite' : 'JSON'}: ${s.era.reason}`,
    `${c.bold('Gateway')}   ${s.gateway.running === true ? c.green('running') : s.gateway.running === false ? c.yellow('not running') : 'unknown'} on 127.0.0.1:${s.gateway.port}`,
    `${c.bold('Logs')}      ${s.logs.files.length ? s.logs.files.join(', ') : c.dim('none found')}${s.logs.files.length ? c.dim(` (${s.logs.events.length} relevant line(s) in the last ${Math.round((s.logs.toMs - s.logs.fromMs) / 3_600_000)} h)`) : ''}`,
  ];
  for (const f of s.logs.foreign ?? []) lines.push(c.dim(`          ${f.file} is shared: lines of the gateway on port ${f.ports.join(', ')} are not counted here`));
  if (s.openclaw.error) lines.push(c.dim(`          ${s.openclaw.error}`));
  return lines;
}

const ICON = { error: '✖', warning: '▲', info: 'ℹ' } as const;

/** Evidence lines shown per finding; findings of one kind shown in full before the rest are folded into one line. */
const MAX_EVIDENCE = 5;
const MAX_SAME_KIND = 2;

/**
 * The findings as numbered blocks. Past MAX_SAME_KIND findings of one kind (a store with a thousand
 * stale devices), the rest of that kind is one line counting them: the output has the same length for
 * any store size, and --json still lists every finding.
 */
export function renderFindings(findings: readonly Finding[], out: Out): string[][] {
  const seen = new Map<string, number>();
  const blocks: string[][] = [];
  const folded = new Map<string, Finding[]>();
  for (const f of findings) {
    const n = (seen.get(f.id) ?? 0) + 1;
    seen.set(f.id, n);
    if (n <= MAX_SAME_KIND) blocks.push(renderFinding(f, out, blocks.length + 1));
    else if (folded.has(f.id)) folded.get(f.id)!.push(f);
    else folded.set(f.id, [f]);
  }
  for (const [id, more] of folded) {
    const names = more.slice(0, 2).map((f) => f.title).join('; ');
    blocks.push([out.colors.dim(`… ${more.length} more [${id}] finding(s) like the above (${names}${more.length > 2 ? '; …' : ''}); clawfix diagnose --json lists them all`)]);
  }
  return blocks;
}

export function renderFinding(f: Finding, out: Out, index: number): string[] {
  const c = out.colors;
  const color = f.severity === 'error' ? c.red : f.severity === 'warning' ? c.yellow : c.cyan;
  const lines = [`${color(`${ICON[f.severity]} ${index}. ${f.title}`)} ${c.dim(`[${f.id}]`)}`, `   ${f.detail}`];
  if (f.requestedScopes || f.missingScopes) {
    const parts = [];
    if (f.requestedScopes) parts.push(`requested: ${f.requestedScopes.join(', ') || '(none)'}`);
    if (f.approvedScopes) parts.push(`approved: ${f.approvedScopes.join(', ') || '(none)'}`);
    if (f.missingScopes) parts.push(`missing: ${c.bold(f.missingScopes.join(', '))}`);
    lines.push(`   ${parts.join(' · ')}`);
  }
  if (f.evidence.length) {
    lines.push(`   ${c.dim('evidence:')}`);
    // Detectors keep their evidence short; a long list is cut here too, so no store makes a wall of text.
    const cut = f.evidence.length - MAX_EVIDENCE;
    if (cut > 0) lines.push(c.dim(`     - … ${cut} more (clawfix diagnose --json lists them)`));
    for (const e of cut > 0 ? f.evidence.slice(cut) : f.evidence) {
      const when = e.timeMs ? `${new Date(e.timeMs).toISOString()} ` : '';
      lines.push(`     - ${when}${e.text}${e.source ? c.dim(`  (${e.source})`) : ''}`);
    }
  }
  const fix = f.suggestedFix;
  lines.push(`   ${c.bold('fix:')} ${fix.description}${fix.command ? `\n        ${c.cyan(`$ ${fix.command}`)}` : ''}`);
  return lines;
}

/** The `openclaw` block every JSON document that describes an install carries. */
export function installJson(s: Snapshot) {
  return {
    version: s.openclaw.version ?? null,
    executable: s.openclaw.executable ?? null,
    stateDir: s.stateDir,
    stateDirSource: s.stateDirSource,
    ...(s.discovery?.chosen ? { discoveredVia: s.discovery.chosen.via } : {}),
    configPath: s.config.path,
    logFiles: s.logs.files,
    store: { kind: s.store.kind, era: s.era.era, reason: s.era.reason, paths: s.store.paths, ok: s.store.ok, ...(s.store.error ? { error: s.store.error } : {}) },
    gateway: { running: s.gateway.running, port: s.gateway.port },
  };
}
