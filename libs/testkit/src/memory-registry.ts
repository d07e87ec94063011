/* eslint-disable @typescript-eslint/require-await -- in-memory stand-ins keep the async signatures of the stores they replace */
import {
  AliasConflictError,
  datasetOfProductionAlias,
  modelVersion,
  ModelNotFoundError,
  PRODUCTION_ALIAS_PREFIX,
  RegistryConflictError,
  RegistryValueError,
  RunNotFoundError,
  type AliasHistoryEntry,
  type AliasState,
  type ArtifactRecord,
  type DatasetProduction,
  type ModelRecord,
  type ModelStatus,
  type ModelTransition,
  type MoveAliasOptions,
  type OpenRunInput,
  type RecordArtifactInput,
  type RecordTrialInput,
  type RegisterModelInput,
  type Run,
  type RunOutcome,
  type RunStatus,
  type StageSummary,
  type Trial,
  type TransitionExtra,
} from '@netsentry/registry';

/**
 * An in-memory stand-in for the Registry's repositories the stages' use cases call (runs, artifacts,
 * models, trials, aliases), for use-case unit tests (no MongoDB). Same method names, arguments and
 * outcomes as the real repositories, and their semantics where a use case relies on them: `openRun`,
 * `register` and `record` are insert-once, a model transition is a compare-and-set on its status,
 * `finishRun` ends a run once, an alias moves only from the revision the caller read (AliasConflictError)
 * and once per event, lists are newest first. Reads return copies, as a database would. Integration tests
 * use the real registry.
 */
export class MemoryRegistry {
  readonly runs = new MemoryRuns();
  readonly artifacts = new MemoryArtifactRecords();
  readonly models = new MemoryModels();
  readonly trials = new MemoryTrials();
  readonly aliases = new MemoryAliases();

  /** Every dataset that has a production model, by dataset name. */
  async productions(): Promise<DatasetProduction[]> {
    return (await this.aliases.list(PRODUCTION_ALIAS_PREFIX)).flatMap((head) => {
      const dataset = datasetOfProductionAlias(head.alias);
      return dataset === null ? [] : [{ ...head, dataset }];
    });
  }
}

/**
 * Copies of the rows whose fields equal every given (truthy) one of `where`, newest first by `at` (of equal
 * times the later written first), at most `limit` — a repository's `list`.
 */
function newestMatching<T extends object>(
  rows: Iterable<T>,
  where: Partial<T>,
  at: (row: T) => Date,
  limit = 20,
): T[] {
  const wanted = (Object.entries(where) as [keyof T, unknown][]).filter(([, value]) => Boolean(value));
  return [...rows]
    .filter((row) => wanted.every(([field, value]) => row[field] === value))
    .reverse()
    .sort((a, b) => at(b).getTime() - at(a).getTime())
    .slice(0, limit)
    .map((row) => structuredClone(row));
}

export class MemoryRuns {
  private readonly rows = new Map<string, Run>();

  /** Opens the run, or returns it unchanged when it is already open (a redelivered command). */
  async openRun(input: OpenRunInput): Promise<Run> {
    const existing = this.rows.get(input.runId);
    if (existing !== undefined) return structuredClone(existing);
    const run: Run = {
      runId: input.runId,
      correlationId: input.correlationId,
      trigger: { commandId: input.trigger.commandId, reason: input.trigger.reason },
      dataset: input.dataset,
      status: 'running',
      startedAt: input.startedAt ?? new Date(),
      endedAt: null,
      reason: null,
      stages: {},
      revision: 0,
    };
    this.rows.set(run.runId, run);
    return structuredClone(run);
  }

  async get(runId: string): Promise<Run | null> {
    const run = this.rows.get(runId);
    return run === undefined ? null : structuredClone(run);
  }

  /** Most recent first. */
  async list(options: { status?: RunStatus; dataset?: string; limit?: number } = {}): Promise<Run[]> {
    const { limit, ...where } = options;
    return newestMatching(this.rows.values(), where, (r) => r.startedAt, limit);
  }

  /** Records a stage's latest outcome for the run (overwrites that stage's previous summary). */
  async recordStage(
    runId: string,
    stage: string,
    summary: Omit<StageSummary, 'at'> & { at?: Date },
  ): Promise<void> {
    const run = this.rows.get(runId);
    if (run === undefined) throw new RunNotFoundError(runId);
    run.stages[stage] = structuredClone({ ...summary, at: summary.at ?? new Date() });
  }

  /** Ends a running run; false when it had already ended (the first outcome stands). */
  async finishRun(
    runId: string,
    status: RunOutcome,
    options: { reason?: string | null; endedAt?: Date } = {},
  ): Promise<boolean> {
    const run = this.rows.get(runId);
    if (run === undefined) throw new RunNotFoundError(runId);
    if (run.status !== 'running') return false;
    Object.assign(run, {
      status,
      reason: options.reason ?? null,
      endedAt: options.endedAt ?? new Date(),
      revision: 1,
    });
    return true;
  }
}

export class MemoryArtifactRecords {
  private readonly rows: ArtifactRecord[] = [];

  /** Records an artifact; recording the same one again returns the stored row (redelivery). */
  async record(input: RecordArtifactInput): Promise<ArtifactRecord> {
    const existing = this.rows.find((a) => a.uri === input.ref.uri);
    if (existing !== undefined) {
      if (existing.sha256 !== input.ref.sha256) {
        throw new RegistryConflictError(
          'artifact',
          existing.uri,
          `sha256 ${existing.sha256} ≠ ${input.ref.sha256}`,
        );
      }
      return structuredClone(existing);
    }
    const record: ArtifactRecord = {
      ...structuredClone(input.ref),
      kind: input.kind,
      runId: input.runId,
      parents: [...new Set(input.parents)],
      producedBy: { stage: input.producedBy.stage, eventId: input.producedBy.eventId },
      createdAt: input.createdAt ?? new Date(),
    };
    this.rows.push(record);
    return structuredClone(record);
  }

  async get(uri: string): Promise<ArtifactRecord | null> {
    const found = this.rows.find((a) => a.uri === uri);
    return found === undefined ? null : structuredClone(found);
  }

  /** The run's most recent artifact of `kind`, or null. */
  async latestOfKind(runId: string, kind: string): Promise<ArtifactRecord | null> {
    return (await this.byRun(runId)).filter((a) => a.kind === kind).at(-1) ?? null;
  }

  /** The run's artifacts, oldest first (then by uri), as the repository sorts them. */
  async byRun(runId: string): Promise<ArtifactRecord[]> {
    return this.rows
      .filter((a) => a.runId === runId)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.uri.localeCompare(b.uri))
      .map((a) => structuredClone(a));
  }
}

export class MemoryModels {
  private readonly rows: ModelRecord[] = [];
  private readonly log = new Map<string, ModelTransition[]>();

  /** Registers a trained model; registering the same one again returns the stored row (redelivery). */
  async register(input: RegisterModelInput): Promise<ModelRecord> {
    const createdAt = input.createdAt ?? new Date();
    const version = input.version ?? modelVersion(createdAt, input.bundle.sha256);
    const existing = this.rows.find((m) => m.version === version);
    if (existing !== undefined) {
      if (existing.runId !== input.runId || existing.bundle.sha256 !== input.bundle.sha256) {
        throw new RegistryConflictError(
          'model',
          version,
          `registered by run ${existing.runId} with bundle ${existing.bundle.sha256}`,
        );
      }
      return structuredClone(existing);
    }
    return this.add({
      version,
      runId: input.runId,
      dataset: input.dataset ?? null,
      bundle: input.bundle,
      candidate: input.candidate,
      params: input.params,
      cvMetrics: input.cvMetrics,
      createdAt,
    });
  }

  /**
   * Test set-up: a model as the trainer (and evaluator) left it, in any status — defaults for what is not
   * given (run-1, phishing, xgboost, trained). Not a repository method: the real registry gets there
   * through `register` and `transition`.
   */
  add(model: Partial<ModelRecord> & Pick<ModelRecord, 'version' | 'bundle'>): ModelRecord {
    const now = model.createdAt ?? new Date();
    const row: ModelRecord = {
      runId: 'run-1',
      dataset: 'phishing',
      candidate: 'xgboost',
      params: {},
      cvMetrics: {},
      testMetrics: null,
      status: 'trained',
      reasons: [],
      revision: 0,
      createdAt: now,
      updatedAt: now,
      ...structuredClone(model),
    };
    if (this.rows.some((m) => m.version === row.version)) {
      throw new RegistryConflictError('model', row.version, 'added twice');
    }
    this.rows.push(row);
    return structuredClone(row);
  }

  async get(version: string): Promise<ModelRecord | null> {
    const found = this.rows.find((m) => m.version === version);
    return found === undefined ? null : structuredClone(found);
  }

  /** Newest first. */
  async list(
    options: { status?: ModelStatus; runId?: string; dataset?: string; limit?: number } = {},
  ): Promise<ModelRecord[]> {
    const { limit, ...where } = options;
    return newestMatching(this.rows, where, (m) => m.createdAt, limit);
  }

  /**
   * Moves a model from one of `from` to `to`; false when its status was not in `from` — so a redelivered
   * accept or push applies once. `reasons` replace the previous ones.
   */
  async transition(
    version: string,
    from: ModelStatus[],
    to: ModelStatus,
    extra: TransitionExtra = {},
  ): Promise<boolean> {
    const current = this.rows.find((m) => m.version === version);
    if (current === undefined) throw new ModelNotFoundError(version);
    if (!from.includes(current.status)) return false;
    const at = new Date();
    const log = this.log.get(version) ?? [];
    log.push({
      revision: current.revision + 1,
      from: current.status,
      to,
      reasons: extra.reasons ? [...extra.reasons] : null,
      at,
    });
    this.log.set(version, log);
    Object.assign(current, {
      status: to,
      revision: current.revision + 1,
      updatedAt: at,
      ...(extra.reasons ? { reasons: [...extra.reasons] } : {}),
      ...(extra.testMetrics ? { testMetrics: { ...extra.testMetrics } } : {}),
    });
    return true;
  }

  /** The model's status changes, oldest first. */
  async transitions(version: string): Promise<ModelTransition[]> {
    return structuredClone(this.log.get(version) ?? []);
  }
}

export class MemoryTrials {
  /** Every trial recorded, in the order recorded (for inspection; `list` is the repository's read). */
  readonly rows: Trial[] = [];

  /** True when recorded now, false when this trial was already there (its first record stands). */
  async record(input: RecordTrialInput): Promise<boolean> {
    const same = (t: Trial): boolean =>
      t.runId === input.runId && t.candidate === input.candidate && t.trialIndex === input.trialIndex;
    if (this.rows.some(same)) return false;
    this.rows.push(structuredClone({ ...input, createdAt: input.createdAt ?? new Date() }));
    return true;
  }

  /** Trials of a run (optionally one candidate), by candidate then index. */
  async list(runId: string, candidate?: string): Promise<Trial[]> {
    return this.rows
      .filter((t) => t.runId === runId && (candidate === undefined || t.candidate === candidate))
      .sort((a, b) => a.candidate.localeCompare(b.candidate) || a.trialIndex - b.trialIndex)
      .map((t) => structuredClone(t));
  }
}

export class MemoryAliases {
  private readonly heads = new Map<string, AliasState>();
  /** Every move, oldest first. */
  private readonly log: AliasHistoryEntry[] = [];

  async get(alias: string): Promise<AliasState | null> {
    const head = this.heads.get(alias);
    return head === undefined ? null : { ...head };
  }

  /** Every alias whose name starts with `prefix` that has moved at least once, by name. */
  async list(prefix = ''): Promise<AliasState[]> {
    return [...this.heads.values()]
      .filter((h) => h.alias.startsWith(prefix))
      .sort((a, b) => a.alias.localeCompare(b.alias))
      .map((h) => ({ ...h }));
  }

  /** The move an event made, whichever alias it moved (a redelivered command finds its own move). */
  async moveByEvent(eventId: string): Promise<AliasHistoryEntry | null> {
    const entry = this.log.find((e) => e.eventId === eventId);
    return entry === undefined ? null : { ...entry };
  }

  /**
   * Points the alias at `toVersion` if it is still at `expectedRevision` (else AliasConflictError).
   * Redelivery-safe: a move whose eventId is already recorded returns the current state unchanged.
   */
  async move(alias: string, toVersion: string, options: MoveAliasOptions): Promise<AliasState> {
    if (!Number.isSafeInteger(options.expectedRevision) || options.expectedRevision < 0) {
      throw new RegistryValueError('expectedRevision', 'must be a non-negative integer');
    }
    if (this.log.some((e) => e.alias === alias && e.eventId === options.eventId)) {
      return { ...this.heads.get(alias)! };
    }
    const head = this.heads.get(alias) ?? null;
    const actual = head?.revision ?? 0;
    if (actual !== options.expectedRevision)
      throw new AliasConflictError(alias, options.expectedRevision, actual);
    const state: AliasState = {
      alias,
      version: toVersion,
      revision: actual + 1,
      movedAt: new Date(),
      reason: options.reason,
      actor: options.actor,
      action: options.action,
      eventId: options.eventId,
    };
    this.log.push({ ...state, previousVersion: head?.version ?? null });
    this.heads.set(alias, state);
    return { ...state };
  }

  /** Moves, newest first. */
  async history(alias: string, limit = 20): Promise<AliasHistoryEntry[]> {
    return this.log
      .filter((e) => e.alias === alias)
      .reverse()
      .slice(0, limit)
      .map((e) => ({ ...e }));
  }

  /** The most recent earlier move to a version other than the current one (a ROLLBACK's target). */
  async previous(alias: string): Promise<AliasHistoryEntry | null> {
    const head = this.heads.get(alias);
    if (head === undefined) return null;
    const entry = this.log
      .filter((e) => e.alias === alias && e.revision < head.revision && e.version !== head.version)
      .at(-1);
    return entry === undefined ? null : { ...entry };
  }
}
