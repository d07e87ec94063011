import type { Collection, Db, WithId } from 'mongodb';
import { COLLECTIONS } from './collections';
import { RunNotFoundError } from './errors';
import { assertName, assertNonEmpty, assertStorable, isDuplicateKeyError, withoutId } from './storable';
import { TransitionLog, type Transition } from './transition-log';

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'quarantined';
export type RunOutcome = Exclude<RunStatus, 'running'>;

/** What started the run: the admin command (or drift alert) and why. */
export interface RunTrigger {
  commandId: string | null;
  reason: string;
}

/** A stage's effective settings for a run (its policy, search space, split…): storable values only. */
export type StageConfig = Record<string, unknown>;

/**
 * A settings object as a `StageConfig`: its JSON form, so what is stored is what a reader gets back
 * (undefined members dropped, no class instances).
 */
export function stageConfig(settings: object): StageConfig {
  return JSON.parse(JSON.stringify(settings)) as StageConfig;
}

/** The latest word from one stage about this run, keyed by stage name in `Run.stages`. */
export interface StageSummary {
  status: string;
  eventId: string;
  at: Date;
  detail: string | null;
  /** The settings the stage ran this run with (lineage); absent when the stage did not say. */
  config?: StageConfig;
}

export interface Run {
  runId: string;
  correlationId: string;
  trigger: RunTrigger;
  /** Dataset name, as in its schema file. */
  dataset: string;
  status: RunStatus;
  startedAt: Date;
  endedAt: Date | null;
  /** Why it ended this way, in words; null while running or on success without remarks. */
  reason: string | null;
  stages: Record<string, StageSummary>;
  /** 0 while running, 1 once finished (the finish took revision 1 in the transition log). */
  revision: number;
}

interface RunPatch {
  status: RunOutcome;
  reason: string | null;
}

export interface OpenRunInput {
  runId: string;
  correlationId: string;
  trigger: RunTrigger;
  dataset: string;
  startedAt?: Date;
}

const MAX_OPEN_ROUNDS = 3;

/**
 * Pipeline runs. Opening is an insert-once upsert on the unique runId; finishing is decided once by the
 * transition log (unique revision 1), then copied to the row — FerretDB's conditional updates alone
 * could let two finishes both win.
 */
export class RunRepository {
  private readonly collection: Collection<Run>;
  private readonly log: TransitionLog<RunPatch>;

  constructor(db: Db) {
    this.collection = db.collection<Run>(COLLECTIONS.runs);
    this.log = new TransitionLog<RunPatch>(db, 'run');
  }

  async ensureIndexes(): Promise<void> {
    await this.log.ensureIndexes();
    await this.collection.createIndex({ runId: 1 }, { unique: true, name: 'runId_unique' });
    await this.collection.createIndex({ startedAt: -1 }, { name: 'startedAt' });
  }

  /** Opens the run, or returns it unchanged when it is already open (a redelivered command). */
  async openRun(input: OpenRunInput): Promise<Run> {
    assertName(input.runId, 'runId');
    assertNonEmpty(input.dataset, 'dataset');
    const fresh: Run = {
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
    for (let round = 0; round < MAX_OPEN_ROUNDS; round++) {
      try {
        const row = await this.collection.findOneAndUpdate(
          { runId: input.runId },
          { $setOnInsert: fresh },
          { upsert: true, returnDocument: 'after' },
        );
        if (row !== null) return toRun(row);
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err; // a concurrent open won the insert: read it next round
      }
    }
    const row = await this.get(input.runId);
    if (row === null) throw new RunNotFoundError(input.runId);
    return row;
  }

  /** Records a stage's latest outcome for the run (overwrites that stage's previous summary). */
  async recordStage(
    runId: string,
    stage: string,
    summary: Omit<StageSummary, 'at'> & { at?: Date },
  ): Promise<void> {
    assertName(stage, 'stage');
    if (summary.config !== undefined) assertStorable(summary.config, `stages.${stage}.config`);
    const value: StageSummary = {
      status: summary.status,
      eventId: summary.eventId,
      at: summary.at ?? new Date(),
      detail: summary.detail,
      ...(summary.config === undefined ? {} : { config: summary.config }),
    };
    const result = await this.collection.updateOne({ runId }, { $set: { [`stages.${stage}`]: value } });
    if (result.matchedCount === 0) throw new RunNotFoundError(runId);
  }

  /** Ends a running run; false when it had already ended (the first outcome stands). */
  async finishRun(
    runId: string,
    status: RunOutcome,
    options: { reason?: string | null; endedAt?: Date } = {},
  ): Promise<boolean> {
    const run = await this.get(runId);
    if (run === null) throw new RunNotFoundError(runId);
    if (run.status !== 'running') return false;
    const transition = {
      revision: 1,
      patch: { status, reason: options.reason ?? null },
      at: options.endedAt ?? new Date(),
    };
    if (!(await this.log.append(runId, transition.revision, transition.patch, transition.at))) return false;
    await this.apply(runId, transition);
    return true;
  }

  async get(runId: string): Promise<Run | null> {
    const row = await this.collection.findOne({ runId });
    if (row === null) return null;
    let run = toRun(row);
    for (const pending of await this.log.after(runId, run.revision)) {
      await this.apply(runId, pending);
      run = {
        ...run,
        status: pending.patch.status,
        reason: pending.patch.reason,
        endedAt: pending.at,
        revision: pending.revision,
      };
    }
    return run;
  }

  /** Most recent first. */
  async list(options: { status?: RunStatus; dataset?: string; limit?: number } = {}): Promise<Run[]> {
    const filter: { status?: RunStatus; dataset?: string } = {};
    if (options.status) filter.status = options.status;
    if (options.dataset) filter.dataset = options.dataset;
    const rows = await this.collection
      .find(filter)
      .sort({ startedAt: -1 })
      .limit(options.limit ?? 20)
      .toArray();
    return rows.map((row) => toRun(row));
  }

  private async apply(
    runId: string,
    t: Pick<Transition<RunPatch>, 'revision' | 'patch' | 'at'>,
  ): Promise<void> {
    await this.collection.updateOne(
      { runId, revision: t.revision - 1 },
      { $set: { status: t.patch.status, reason: t.patch.reason, endedAt: t.at, revision: t.revision } },
    );
  }
}

/** FerretDB 1.x drops top-level nulls written by an upsert's $setOnInsert: read them back as null. */
function toRun(row: WithId<Run>): Run {
  const run = withoutId(row);
  return {
    ...run,
    endedAt: run.endedAt ?? null,
    reason: run.reason ?? null,
    stages: run.stages ?? {},
    revision: run.revision ?? 0,
  };
}
