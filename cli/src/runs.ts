import {
  PIPELINE_STAGES,
  type ArtifactRecord,
  type Metrics,
  type ModelLineage,
  type ModelRecord,
  type ModelStatus,
  type Params,
  type Registry,
  type Run,
  type RunStatus,
  type StageConfig,
  type StageExecution,
  type Trial,
} from '@netsentry/registry';
import { LookupError } from './registry-session';
import { cvScoreOf } from './models';
import { bytes, duration, fixed, metricsText, table, when } from './table';

/** The command id a run was opened for: run ids are `run-<command id>` (ingestion's runIdFor). */
export function commandIdOfRun(runId: string): string | null {
  return runId.startsWith('run-') && runId.length > 4 ? runId.slice(4) : null;
}

/** An artifact of a stage, as `runs show` lists it. */
export interface StageArtifact {
  readonly kind: string;
  readonly uri: string;
  readonly sha256: string;
  readonly sizeBytes: number;
  readonly rowCount: number | null;
}

/**
 * What a stage did in a run. `outcome` is its last word in the run record (`succeeded`, `quarantined`), or
 * from the idempotency ledger when it has none yet: `failed` (dead-lettered), `running` (claimed), or
 * `pending` (no sign of it).
 */
export interface RunStageReport {
  readonly stage: string;
  readonly outcome: string;
  readonly detail: string | null;
  /** When the stage reported its outcome (or, failed, was dead-lettered). */
  readonly at: Date | null;
  /** The handler's time from the ledger, else the time since the previous stage reported. */
  readonly durationMs: number | null;
  readonly attempts: number | null;
  readonly codeVersion: string | null;
  readonly config: StageConfig | null;
  readonly artifacts: readonly StageArtifact[];
  /** For a failed stage: the error code its ledger row recorded (HANDLER_FAILED, UNKNOWN_DATASET, …). */
  readonly errorCode: string | null;
}

/** How a run ended: by the run record, or `failed` when a stage dead-lettered its event (the run stays open). */
export interface RunEnd {
  readonly status: Exclude<RunStatus, 'running'>;
  /** The stage that ended it: the one that quarantined, failed or (succeeded) released it. */
  readonly stage: string | null;
  readonly reason: string | null;
  readonly at: Date | null;
  /** For failed: the failed stage's error code, when recorded. */
  readonly code: string | null;
}

/** The best trial of one candidate in the hyperparameter search. */
export interface CandidateTrials {
  readonly candidate: string;
  readonly trials: number;
  /** Mean cross-validation score of its best trial. */
  readonly bestCvScore: number;
  readonly bestTrialIndex: number;
  readonly bestParams: Params;
}

export interface TrialSummary {
  readonly count: number;
  /** Best first. */
  readonly candidates: readonly CandidateTrials[];
}

/** What the model a run made traces back to (from registry.modelLineage). */
export interface RunLineage {
  readonly snapshot: {
    readonly uri: string;
    readonly sha256: string;
    readonly rowCount: number | null;
  } | null;
  /** The dataset schema file: its name is the dataset's, its version its sha256. */
  readonly schema: { readonly name: string | null; readonly sha256: string; readonly uri: string } | null;
  readonly configs: Readonly<Record<string, StageConfig>>;
  /** Code version (git commit or build id) per stage; null where not recorded. */
  readonly codeVersions: Readonly<Record<string, string | null>>;
  /** What cannot be traced, in words. */
  readonly gaps: readonly string[];
}

export interface RunModel {
  readonly version: string;
  readonly status: ModelStatus;
  readonly candidate: string;
  readonly cvMetrics: Metrics;
  readonly testMetrics: Metrics | null;
  readonly reasons: readonly string[];
}

export interface RunReport {
  readonly runId: string;
  readonly commandId: string | null;
  readonly dataset: string;
  readonly trigger: Run['trigger'];
  /** `failed` for a run the registry still calls running but a stage dead-lettered. */
  readonly status: RunStatus;
  readonly startedAt: Date;
  readonly end: RunEnd | null;
  /** From start to end, or to now while running. */
  readonly elapsedMs: number;
  readonly stages: readonly RunStageReport[];
  readonly model: RunModel | null;
  readonly trials: TrialSummary;
  readonly lineage: RunLineage | null;
}

/** Everything `describeRun` needs, read from the registry by `collectRun`. */
export interface RunFacts {
  readonly run: Run;
  /** The run's ledger rows, and ingestion's under the RETRAIN command's id. */
  readonly executions: readonly StageExecution[];
  readonly artifacts: readonly ArtifactRecord[];
  readonly models: readonly ModelRecord[];
  readonly trials: readonly Trial[];
  readonly lineage: ModelLineage | null;
  readonly now: Date;
}

function stageNames(facts: RunFacts): string[] {
  const seen = new Set([
    ...Object.keys(facts.run.stages),
    ...facts.executions.map((e) => e.stage),
    ...facts.artifacts.map((a) => a.producedBy.stage),
  ]);
  const known: readonly string[] = PIPELINE_STAGES;
  return [...known, ...[...seen].filter((s) => !known.includes(s)).sort((a, b) => a.localeCompare(b))];
}

/** Best trial per candidate (among those at the last rung of successive halving), best candidate first. */
export function summarizeTrials(trials: readonly Trial[]): TrialSummary {
  const by = new Map<string, Trial[]>();
  for (const t of trials) by.set(t.candidate, [...(by.get(t.candidate) ?? []), t]);
  const candidates = [...by.entries()].map(([candidate, list]): CandidateTrials => {
    // with successive halving only trials scored on all rows (the last rung) compare with each other
    const full = list.filter((t) => t.rung === undefined || t.rung.fraction === 1);
    const best = (full.length > 0 ? full : list).reduce((a, b) => (b.meanScore > a.meanScore ? b : a));
    return {
      candidate,
      trials: list.length,
      bestCvScore: best.meanScore,
      bestTrialIndex: best.trialIndex,
      bestParams: best.params,
    };
  });
  candidates.sort((a, b) => b.bestCvScore - a.bestCvScore || a.candidate.localeCompare(b.candidate));
  return { count: trials.length, candidates };
}

/** A stage's dead-letter reason without the runtime's `non-retryable: ` style prefix. */
function deadLetterText(e: StageExecution): string {
  return (e.deadLetterReason ?? e.lastError?.message ?? 'dead-lettered').replace(
    /^(non-retryable|exhausted|crash-loop|decode): /,
    '',
  );
}

/** The report of one run from its registry rows: pure, so its rules are unit-tested. */
export function describeRun(facts: RunFacts): RunReport {
  const { run } = facts;
  const stages: RunStageReport[] = [];
  let previousAt = run.startedAt;
  for (const stage of stageNames(facts)) {
    const summary = run.stages[stage];
    const mine = facts.executions.filter((e) => e.stage === stage);
    const execution = mine.find((e) => e.eventId === summary?.eventId) ?? mine.at(-1) ?? null;
    const artifacts = facts.artifacts
      .filter((a) => a.producedBy.stage === stage)
      .map((a) => ({
        kind: a.kind,
        uri: a.uri,
        sha256: a.sha256,
        sizeBytes: a.sizeBytes,
        rowCount: a.rowCount,
      }));
    let outcome: string;
    let at: Date | null = summary?.at ?? null;
    let detail = summary?.detail ?? null;
    if (summary) outcome = summary.status;
    else if (execution?.status === 'dead-lettered') {
      outcome = 'failed';
      at = execution.endedAt;
      detail = deadLetterText(execution);
    } else if (execution) outcome = execution.status === 'completed' ? 'succeeded' : 'running';
    else outcome = 'pending';
    const durationMs =
      execution?.durationMs ?? (at !== null ? Math.max(0, at.getTime() - previousAt.getTime()) : null);
    if (at !== null) previousAt = at;
    if (outcome === 'pending' && artifacts.length === 0) {
      // Only the pipeline's own stages are listed before they act; nothing else is invented.
      if (!(PIPELINE_STAGES as readonly string[]).includes(stage)) continue;
    }
    stages.push({
      stage,
      outcome,
      detail,
      at,
      durationMs: outcome === 'pending' || outcome === 'running' ? null : durationMs,
      attempts: execution?.attempt ?? null,
      codeVersion: execution?.codeVersion ?? null,
      config: summary?.config ?? null,
      artifacts,
      errorCode: outcome === 'failed' ? (execution?.lastError?.code ?? null) : null,
    });
  }

  let end: RunEnd | null = null;
  if (run.status !== 'running') {
    const ender =
      run.status === 'succeeded'
        ? stages.filter((s) => s.outcome === 'succeeded').at(-1)
        : stages.find((s) => s.outcome === run.status);
    end = {
      status: run.status,
      stage: ender?.stage ?? null,
      reason: run.reason,
      at: run.endedAt,
      code: null,
    };
  } else {
    const failed = stages.find((s) => s.outcome === 'failed');
    if (failed) {
      end = {
        status: 'failed',
        stage: failed.stage,
        reason: failed.detail,
        at: failed.at,
        code: failed.errorCode,
      };
    }
  }
  const status: RunStatus = end?.status ?? 'running';
  // Once a run has ended, the stages it never reached say so rather than 'pending'.
  const shown =
    end === null
      ? stages
      : stages.map((s) => (s.outcome === 'pending' ? { ...s, outcome: 'not reached' } : s));
  const endedAt = end?.at ?? null;

  const model = facts.models[0] ?? null;
  const lineage = facts.lineage;
  return {
    runId: run.runId,
    commandId: run.trigger.commandId ?? commandIdOfRun(run.runId),
    dataset: run.dataset,
    trigger: run.trigger,
    status,
    startedAt: run.startedAt,
    end,
    elapsedMs: (endedAt ?? facts.now).getTime() - run.startedAt.getTime(),
    stages: shown,
    model: model
      ? {
          version: model.version,
          status: model.status,
          candidate: model.candidate,
          cvMetrics: model.cvMetrics,
          testMetrics: model.testMetrics,
          reasons: model.reasons,
        }
      : null,
    trials: summarizeTrials(facts.trials),
    lineage: lineage
      ? {
          snapshot: lineage.data.snapshot
            ? {
                uri: lineage.data.snapshot.uri,
                sha256: lineage.data.snapshot.sha256,
                rowCount: lineage.data.snapshot.rowCount,
              }
            : null,
          schema: lineage.data.schema
            ? { name: lineage.data.dataset, sha256: lineage.data.schema.sha256, uri: lineage.data.schema.uri }
            : null,
          configs: Object.fromEntries(
            lineage.stages.flatMap((s) => (s.config === null ? [] : [[s.stage, s.config] as const])),
          ),
          codeVersions: Object.fromEntries(lineage.stages.map((s) => [s.stage, s.codeVersion] as const)),
          gaps: lineage.gaps,
        }
      : null,
  };
}

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The run id `ref` names: a run id, the RETRAIN command id it was opened for (`run-<command id>`), or an
 * unambiguous prefix of either. LookupError (listing the candidates) when none or several match.
 */
export async function resolveRunId(registry: Registry, ref: string): Promise<string> {
  const wanted = ref.trim();
  if (wanted.length === 0) throw new LookupError('no run named');
  for (const exact of [wanted, `run-${wanted}`]) {
    if ((await registry.runs.get(exact)) !== null) return exact;
  }
  const runs = registry.db.collection<Run>('runs');
  const pattern = new RegExp(`^(${escapeRegex(wanted)}|run-${escapeRegex(wanted)})`);
  const found = await runs
    .find({ runId: { $regex: pattern } })
    .project<{ runId: string }>({ runId: 1 })
    .limit(6)
    .toArray();
  const ids = [...new Set(found.map((r) => r.runId))].sort();
  if (ids.length === 1) return ids[0]!;
  if (ids.length === 0) throw new LookupError(`no run matches '${wanted}' (try netsentry runs list)`);
  throw new LookupError(
    `'${wanted}' matches more than one run: ${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', …' : ''}; give more of the id`,
  );
}

/** Reads one run and everything about it from the registry. */
export async function collectRun(registry: Registry, runId: string, now = new Date()): Promise<RunReport> {
  const run = await registry.runs.get(runId);
  if (run === null) throw new LookupError(`run ${runId} is not in the registry`);
  const [executions, artifacts, models, trials] = await Promise.all([
    registry.executions.byRun(runId),
    registry.artifacts.byRun(runId),
    registry.models.list({ runId, limit: 5 }),
    registry.trials.list(runId),
  ]);
  // Ingestion handled the RETRAIN command, which has no run id yet: its ledger row is under the command.
  const commandId = run.trigger.commandId ?? commandIdOfRun(runId);
  const all = [...executions];
  if (commandId !== null && !all.some((e) => e.stage === 'ingestion')) {
    const ingestion = await registry.executions.get('ingestion', commandId);
    if (ingestion) all.unshift(ingestion);
  }
  const model = models[0];
  const lineage = model ? await registry.modelLineage(model.version) : null;
  return describeRun({ run, executions: all, artifacts, models, trials, lineage, now });
}

/** `runs list`: newest first. */
export async function listRuns(
  registry: Registry,
  options: { dataset?: string; limit: number },
  now = new Date(),
): Promise<RunReport[]> {
  const runs = await registry.runs.list({
    limit: options.limit,
    ...(options.dataset === undefined ? {} : { dataset: options.dataset }),
  });
  return Promise.all(runs.map((r) => collectRun(registry, r.runId, now)));
}

const lastStage = (r: RunReport): RunStageReport | undefined =>
  r.stages.filter((s) => s.outcome !== 'pending' && s.outcome !== 'not reached').at(-1);

/** The run table of `runs list`. */
export function formatRunList(runs: readonly RunReport[]): string {
  if (runs.length === 0) return 'no runs (start one with netsentry retrain)\n';
  const rows = [['run', 'dataset', 'status', 'started', 'took', 'last stage', 'model', 'reason']];
  for (const r of runs) {
    const last = lastStage(r);
    rows.push([
      r.runId,
      r.dataset,
      r.status,
      when(r.startedAt),
      duration(r.elapsedMs),
      last ? `${last.stage} ${last.outcome}` : '-',
      r.model ? `${r.model.version} (${r.model.status})` : '-',
      r.end?.reason ?? '',
    ]);
  }
  return `${table(rows, '').join('\n')}\n`;
}

const configLine = (c: StageConfig): string => JSON.stringify(c);

/** `runs show` as an operator reads it. */
export function formatRun(r: RunReport): string {
  const lines: string[] = [];
  lines.push(`run ${r.runId}  (${r.dataset})`);
  lines.push(`  status:   ${r.status}${r.end?.stage ? ` at ${r.end.stage}` : ''}`);
  if (r.end?.reason) lines.push(`  reason:   ${r.end.reason}`);
  lines.push(
    `  started:  ${when(r.startedAt)}, ${r.end ? `ended ${when(r.end.at)}, took` : 'running for'} ${duration(r.elapsedMs)}`,
  );
  lines.push(`  trigger:  ${r.trigger.reason}${r.commandId ? ` (command ${r.commandId})` : ''}`);
  lines.push('', 'stages:');
  const rows = [['stage', 'outcome', 'took', 'tries', 'code', 'detail']];
  for (const s of r.stages) {
    rows.push([
      s.stage,
      s.outcome,
      duration(s.durationMs),
      s.attempts === null ? '-' : String(s.attempts),
      s.codeVersion ?? '-',
      s.detail ?? '',
    ]);
  }
  lines.push(...table(rows));
  const withArtifacts = r.stages.filter((s) => s.artifacts.length > 0);
  if (withArtifacts.length > 0) {
    lines.push('', 'artifacts:');
    const arows = [['stage', 'kind', 'size', 'rows', 'sha256', 'uri']];
    for (const s of withArtifacts) {
      for (const a of s.artifacts) {
        arows.push([
          s.stage,
          a.kind,
          bytes(a.sizeBytes),
          a.rowCount === null ? '-' : String(a.rowCount),
          a.sha256,
          a.uri,
        ]);
      }
    }
    lines.push(...table(arows));
  }
  lines.push('', 'model:');
  if (r.model === null) lines.push('  none (the run made no model)');
  else {
    lines.push(`  version:  ${r.model.version} (${r.model.status})`);
    const cv = cvScoreOf(r.model.cvMetrics);
    const cvText = cv ? `${cv.metric} ${fixed(cv.mean)}${cv.std === null ? '' : ` ± ${fixed(cv.std)}`}` : '-';
    lines.push(`  chosen:   ${r.model.candidate}, CV ${cvText}`);
    lines.push(`  test:     ${metricsText(r.model.testMetrics)}`);
    if (r.model.reasons.length > 0) lines.push(`  why:      ${r.model.reasons.join('; ')}`);
  }
  if (r.trials.count > 0) {
    lines.push('', `trials: ${r.trials.count} (best per candidate, by mean CV score)`);
    const trows = [['candidate', 'trials', 'best cv', 'trial', 'params']];
    for (const c of r.trials.candidates) {
      trows.push([
        c.candidate,
        String(c.trials),
        fixed(c.bestCvScore),
        String(c.bestTrialIndex),
        JSON.stringify(c.bestParams),
      ]);
    }
    lines.push(...table(trows));
  }
  if (r.lineage !== null) {
    const l = r.lineage;
    lines.push('', 'lineage:');
    lines.push(
      `  data snapshot: ${l.snapshot ? `sha256 ${l.snapshot.sha256}, ${l.snapshot.rowCount ?? '?'} rows, ${l.snapshot.uri}` : '-'}`,
    );
    lines.push(
      `  schema:        ${l.schema ? `${l.schema.name ?? '?'}, version sha256 ${l.schema.sha256}` : '-'}`,
    );
    const versions = [...new Set(Object.values(l.codeVersions).filter((v): v is string => v !== null))];
    lines.push(`  code version:  ${versions.length > 0 ? versions.join(', ') : '-'}`);
    if (Object.keys(l.configs).length > 0) lines.push('  stage settings:');
    for (const [stage, config] of Object.entries(l.configs))
      lines.push(`    ${stage}: ${configLine(config)}`);
    if (l.gaps.length > 0) {
      lines.push('  gaps (what the registry cannot trace):');
      for (const gap of l.gaps) lines.push(`    - ${gap}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
