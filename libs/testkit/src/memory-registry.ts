/* eslint-disable @typescript-eslint/require-await -- in-memory stand-ins keep the async signatures of the stores they replace */
import {
  modelVersion,
  ModelNotFoundError,
  RunNotFoundError,
  type AliasState,
  type ArtifactRecord,
  type ModelRecord,
  type ModelStatus,
  type RecordArtifactInput,
  type RecordTrialInput,
  type RegisterModelInput,
  type RunOutcome,
  type StageSummary,
  type Trial,
  type TransitionExtra,
} from '@netsentry/registry';

/**
 * An in-memory stand-in for the registry's repositories a stage's use cases call (models, trials,
 * artifacts, runs, aliases), for use-case unit tests (no MongoDB). It keeps the repositories' semantics
 * where a use case relies on them: a transition is a compare-and-set on the status, `list` is newest
 * first, `record` is insert-once, `finishRun` ends a run once.
 */
export class MemoryRegistry {
  readonly models = new MemoryModels();
  readonly trials = new MemoryTrials();
  readonly artifacts = new MemoryArtifactRecords();
  readonly runs = new MemoryRuns();
  readonly aliases = new MemoryAliases();
}

export class MemoryModels {
  private readonly rows: ModelRecord[] = [];
  /** Every status change: version, from, to, reasons. */
  readonly transitions: { version: string; from: ModelStatus; to: ModelStatus; reasons: string[] }[] = [];

  async register(input: RegisterModelInput): Promise<ModelRecord> {
    const createdAt = input.createdAt ?? new Date();
    const version = input.version ?? modelVersion(createdAt, input.bundle.sha256);
    const existing = this.rows.find((m) => m.version === version);
    if (existing) return { ...existing };
    const record: ModelRecord = {
      version,
      runId: input.runId,
      dataset: input.dataset ?? null,
      bundle: { ...input.bundle },
      candidate: input.candidate,
      params: { ...input.params },
      cvMetrics: { ...input.cvMetrics },
      testMetrics: null,
      status: 'trained',
      reasons: [],
      revision: 0,
      createdAt,
      updatedAt: createdAt,
    };
    this.rows.push(record);
    return { ...record };
  }

  async get(version: string): Promise<ModelRecord | null> {
    const found = this.rows.find((m) => m.version === version);
    return found ? { ...found } : null;
  }

  async list(
    options: { status?: ModelStatus; runId?: string; dataset?: string; limit?: number } = {},
  ): Promise<ModelRecord[]> {
    return this.rows
      .filter(
        (m) =>
          (!options.status || m.status === options.status) &&
          (!options.runId || m.runId === options.runId) &&
          (!options.dataset || m.dataset === options.dataset),
      )
      .reverse()
      .slice(0, options.limit ?? 20)
      .map((m) => ({ ...m }));
  }

  async transition(
    version: string,
    from: ModelStatus[],
    to: ModelStatus,
    extra: TransitionExtra = {},
  ): Promise<boolean> {
    const i = this.rows.findIndex((m) => m.version === version);
    if (i < 0) throw new ModelNotFoundError(version);
    const current = this.rows[i]!;
    if (!from.includes(current.status)) return false;
    this.rows[i] = {
      ...current,
      status: to,
      reasons: extra.reasons ? [...extra.reasons] : current.reasons,
      testMetrics: extra.testMetrics ? { ...extra.testMetrics } : current.testMetrics,
      revision: current.revision + 1,
      updatedAt: new Date(),
    };
    this.transitions.push({ version, from: current.status, to, reasons: [...(extra.reasons ?? [])] });
    return true;
  }
}

export class MemoryTrials {
  readonly rows: Trial[] = [];

  async record(input: RecordTrialInput): Promise<boolean> {
    const key = (t: Pick<Trial, 'runId' | 'candidate' | 'trialIndex'>): string =>
      `${t.runId}/${t.candidate}/${t.trialIndex}`;
    if (this.rows.some((t) => key(t) === key(input))) return false;
    this.rows.push({ ...input, createdAt: input.createdAt ?? new Date() });
    return true;
  }

  async list(runId: string, candidate?: string): Promise<Trial[]> {
    return this.rows.filter((t) => t.runId === runId && (!candidate || t.candidate === candidate));
  }
}

export class MemoryArtifactRecords {
  readonly rows: ArtifactRecord[] = [];

  async record(input: RecordArtifactInput): Promise<ArtifactRecord> {
    const existing = this.rows.find((a) => a.uri === input.ref.uri);
    if (existing) return existing;
    const record: ArtifactRecord = {
      uri: input.ref.uri,
      sha256: input.ref.sha256,
      sizeBytes: input.ref.sizeBytes,
      rowCount: input.ref.rowCount,
      mediaType: input.ref.mediaType,
      kind: input.kind,
      runId: input.runId,
      parents: [...new Set(input.parents)],
      producedBy: { ...input.producedBy },
      createdAt: input.createdAt ?? new Date(),
    };
    this.rows.push(record);
    return record;
  }

  async latestOfKind(runId: string, kind: string): Promise<ArtifactRecord | null> {
    const rows = this.rows.filter((a) => a.runId === runId && a.kind === kind);
    return rows[rows.length - 1] ?? null;
  }
}

export interface MemoryRun {
  status: 'running' | RunOutcome;
  reason: string | null;
  stages: Record<string, StageSummary>;
}

export class MemoryRuns {
  readonly rows = new Map<string, MemoryRun>();

  /** Opens a run (the ingestion's part in the pipeline) so the stages can record on it. */
  open(runId: string): void {
    this.rows.set(runId, { status: 'running', reason: null, stages: {} });
  }

  async recordStage(
    runId: string,
    stage: string,
    summary: Omit<StageSummary, 'at'> & { at?: Date },
  ): Promise<void> {
    const run = this.rows.get(runId);
    if (!run) throw new RunNotFoundError(runId);
    run.stages[stage] = { ...summary, at: summary.at ?? new Date() };
  }

  async finishRun(
    runId: string,
    status: RunOutcome,
    options: { reason?: string | null; endedAt?: Date } = {},
  ): Promise<boolean> {
    const run = this.rows.get(runId);
    if (!run) throw new RunNotFoundError(runId);
    if (run.status !== 'running') return false;
    run.status = status;
    run.reason = options.reason ?? null;
    return true;
  }
}

export class MemoryAliases {
  private readonly rows = new Map<string, AliasState>();

  async get(alias: string): Promise<AliasState | null> {
    return this.rows.get(alias) ?? null;
  }

  /** Points `alias` at `version` (as the pusher's release would). */
  point(alias: string, version: string): void {
    const revision = (this.rows.get(alias)?.revision ?? 0) + 1;
    this.rows.set(alias, {
      alias,
      version,
      revision,
      movedAt: new Date(),
      reason: 'test',
      actor: 'test',
      action: 'PUSH',
      eventId: `test-${revision}`,
    });
  }
}
