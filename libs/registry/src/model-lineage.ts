import type { ArtifactRef } from '@netsentry/contracts';
import type { ArtifactRecord, ArtifactRepository, Lineage } from './artifacts';
import type { Metrics, ModelRecord, ModelRepository, ModelStatus, Params } from './models';
import type { Run, RunRepository, StageConfig, StageSummary } from './runs';
import type { MongoStageExecutionStore, StageExecution } from './stage-executions';

/** The stages of a run in pipeline order; any other stage found is listed after them. */
export const PIPELINE_STAGES = [
  'ingestion',
  'validation',
  'transform',
  'trainer',
  'evaluator',
  'pusher',
] as const;

/** An artifact as lineage shows it: where it is, its content hash and size. */
export interface TracedArtifact {
  readonly kind: string;
  readonly uri: string;
  readonly sha256: string;
  readonly rowCount: number | null;
  readonly producedBy: { readonly stage: string; readonly eventId: string };
}

/** One stage's part in making the model. */
export interface StageLineage {
  readonly stage: string;
  /** The stage's last word on the run (`succeeded`, `quarantined`, …), from the run record. */
  readonly status: string | null;
  readonly detail: string | null;
  /** The event the stage handled for this run. */
  readonly eventId: string | null;
  /** The settings it ran with. */
  readonly config: StageConfig | null;
  /** The code that ran it: its build's git commit or `NETSENTRY_SERVICE_VERSION`. */
  readonly codeVersion: string | null;
  /** Its ledger row: status, deliveries, duration. */
  readonly execution: {
    readonly status: StageExecution['status'];
    readonly attempt: number;
    readonly durationMs: number | null;
    readonly endedAt: Date | null;
  } | null;
  /** The artifacts of the model's ancestry it produced. */
  readonly artifacts: readonly string[];
}

/** Everything a model traces back to, from the registry alone. */
export interface ModelLineage {
  readonly version: string;
  readonly model: {
    readonly status: ModelStatus;
    readonly candidate: string;
    readonly params: Params;
    readonly cvMetrics: Metrics;
    readonly testMetrics: Metrics | null;
    readonly reasons: readonly string[];
    readonly bundle: ArtifactRef;
    readonly createdAt: Date;
  };
  readonly run: Pick<
    Run,
    'runId' | 'correlationId' | 'dataset' | 'status' | 'trigger' | 'startedAt' | 'endedAt' | 'reason'
  > | null;
  readonly data: {
    readonly dataset: string | null;
    /** The dataset schema file the data was read under (its sha256 is the schema's version). */
    readonly schema: TracedArtifact | null;
    /** The records snapshot the run read, and its split (train in the bundle's ancestry, test held out). */
    readonly snapshot: TracedArtifact | null;
    readonly train: TracedArtifact | null;
    readonly test: TracedArtifact | null;
  };
  readonly stages: readonly StageLineage[];
  /** Every code version that took part, once each. */
  readonly codeVersions: readonly string[];
  /** The bundle's full artifact ancestry (nearest first). */
  readonly artifacts: Lineage;
  /** What cannot be traced, in words; empty when the lineage is complete. */
  readonly gaps: readonly string[];
}

export interface LineageSources {
  readonly models: ModelRepository;
  readonly runs: RunRepository;
  readonly artifacts: ArtifactRepository;
  readonly executions: MongoStageExecutionStore;
}

const traced = (a: ArtifactRecord): TracedArtifact => ({
  kind: a.kind,
  uri: a.uri,
  sha256: a.sha256,
  rowCount: a.rowCount,
  producedBy: a.producedBy,
});

/** A code version that names no code: the default of a service run without a build id. */
const UNKNOWN_CODE = new Set(['dev', '']);

function stageOrder(stages: Iterable<string>): string[] {
  const known: readonly string[] = PIPELINE_STAGES;
  const all = [...new Set(stages)];
  return [
    ...known.filter((s) => all.includes(s)),
    ...all.filter((s) => !known.includes(s)).sort((a, b) => a.localeCompare(b)),
  ];
}

/**
 * The lineage of one model version: its run, the data snapshot and schema it was trained on (by sha256),
 * every stage that took part with its settings, code version, ledger row and the artifacts it produced,
 * and the bundle's whole artifact ancestry. `gaps` names what the registry cannot trace (a stage that
 * recorded no settings, code reported as `dev`, an ancestor never recorded). Null for an unknown version.
 */
export async function modelLineage(sources: LineageSources, version: string): Promise<ModelLineage | null> {
  const model: ModelRecord | null = await sources.models.get(version);
  if (model === null) return null;
  const [run, executions, artifacts, ofRun] = await Promise.all([
    sources.runs.get(model.runId),
    sources.executions.byRun(model.runId),
    sources.artifacts.lineage(model.bundle.uri),
    sources.artifacts.byRun(model.runId),
  ]);
  const gaps: string[] = [];
  if (run === null) gaps.push(`run ${model.runId} is not in the registry`);
  if (artifacts.root === null) gaps.push(`bundle ${model.bundle.uri} is not recorded as an artifact`);
  for (const uri of artifacts.missing) gaps.push(`ancestor ${uri} is not recorded`);
  if (artifacts.truncated) gaps.push('the artifact ancestry is deeper than the walk went');

  const all = [...(artifacts.root ? [artifacts.root] : []), ...artifacts.ancestors.map((a) => a.artifact)];
  const ofKind = (kind: string): TracedArtifact | null => {
    const found = all.find((a) => a.kind === kind);
    return found ? traced(found) : null;
  };
  const snapshot = ofKind('dataset/snapshot');
  // The test split is no ancestor of the bundle (it is held out): it is the snapshot's other child.
  const heldOut = ofRun.find(
    (a) => a.kind === 'dataset/test' && snapshot !== null && a.parents.includes(snapshot.uri),
  );
  const data = {
    dataset: run?.dataset ?? null,
    schema: ofKind('dataset/schema'),
    snapshot,
    train: ofKind('dataset/train'),
    test: heldOut ? traced(heldOut) : null,
  };
  if (data.snapshot === null) gaps.push('no data snapshot in the bundle’s ancestry');
  if (data.schema === null) gaps.push('no dataset schema in the bundle’s ancestry');

  const summaries: Record<string, StageSummary> = run?.stages ?? {};
  // A stage that handled an event from outside the run (ingestion's RETRAIN command has no runId yet)
  // has its ledger row under that event, not under the run.
  for (const [stage, summary] of Object.entries(summaries)) {
    if (executions.some((e) => e.stage === stage && e.eventId === summary.eventId)) continue;
    const row = await sources.executions.get(stage, summary.eventId);
    if (row) executions.push(row);
  }
  const names = stageOrder([
    ...Object.keys(summaries),
    ...executions.map((e) => e.stage),
    ...all.map((a) => a.producedBy.stage),
  ]);
  const stages: StageLineage[] = names.map((stage) => {
    const summary = summaries[stage];
    const mine = executions.filter((e) => e.stage === stage);
    const execution = mine.find((e) => e.eventId === summary?.eventId) ?? mine.at(-1) ?? null;
    return {
      stage,
      status: summary?.status ?? null,
      detail: summary?.detail ?? null,
      eventId: summary?.eventId ?? execution?.eventId ?? null,
      config: summary?.config ?? null,
      codeVersion: execution?.codeVersion ?? null,
      execution: execution
        ? {
            status: execution.status,
            attempt: execution.attempt,
            durationMs: execution.durationMs,
            endedAt: execution.endedAt,
          }
        : null,
      artifacts: all.filter((a) => a.producedBy.stage === stage).map((a) => a.uri),
    };
  });

  // The stages that made the model must each say what they ran with and which code ran; the evaluator
  // only once it has judged the model, the pusher (which releases, not makes) never.
  const required = ['ingestion', 'validation', 'transform', 'trainer'];
  if (model.status !== 'trained') required.push('evaluator');
  for (const name of required) {
    const stage = stages.find((s) => s.stage === name);
    if (!stage || (stage.status === null && stage.execution === null)) {
      gaps.push(`${name}: no record of it in run ${model.runId}`);
      continue;
    }
    if (stage.config === null) gaps.push(`${name}: its settings were not recorded`);
    if (stage.codeVersion === null) gaps.push(`${name}: its code version was not recorded`);
    else if (UNKNOWN_CODE.has(stage.codeVersion)) {
      gaps.push(
        `${name}: ran code version '${stage.codeVersion}' (built without a build id and NETSENTRY_SERVICE_VERSION unset)`,
      );
    }
  }

  return {
    version: model.version,
    model: {
      status: model.status,
      candidate: model.candidate,
      params: model.params,
      cvMetrics: model.cvMetrics,
      testMetrics: model.testMetrics,
      reasons: model.reasons,
      bundle: model.bundle,
      createdAt: model.createdAt,
    },
    run: run
      ? {
          runId: run.runId,
          correlationId: run.correlationId,
          dataset: run.dataset,
          status: run.status,
          trigger: run.trigger,
          startedAt: run.startedAt,
          endedAt: run.endedAt,
          reason: run.reason,
        }
      : null,
    data,
    stages,
    codeVersions: [...new Set(stages.flatMap((s) => (s.codeVersion === null ? [] : [s.codeVersion])))],
    artifacts,
    gaps,
  };
}
