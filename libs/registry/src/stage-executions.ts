import { randomUUID } from 'node:crypto';
import type { Collection, Db, WithId } from 'mongodb';
import { COLLECTIONS } from './collections';
import { ExecutionNotFoundError, ExecutionStateError } from './errors';
import { assertNonEmpty, isDuplicateKeyError, withoutId } from './storable';

export type ExecutionClaim =
  | { kind: 'claimed'; attempt: number } // process it (first delivery, or a retry after a failure/crash)
  | { kind: 'completed'; outputEventIds: string[] } // already processed: skip, emit nothing
  | { kind: 'dead-lettered'; reason: string }; // already sent to quarantine/DLQ: skip

export type ExecutionStatus = 'claimed' | 'completed' | 'dead-lettered';

export interface ClaimInput {
  stage: string;
  eventId: string;
  /**
   * Code version of the service claiming it (its `NETSENTRY_SERVICE_VERSION` or build id, e.g. the git
   * commit it was built from): lineage says which code made each stage's outputs.
   */
  codeVersion?: string;
  runId: string | null;
  correlationId: string;
  topic: string;
  partition: number;
  offset: string;
}

/** One stage's processing of one event: the idempotency ledger row. */
export interface StageExecution {
  stage: string;
  eventId: string;
  runId: string | null;
  correlationId: string;
  /** Code version of the service that last claimed it (the one that ran the handler); null if unknown. */
  codeVersion: string | null;
  /** Where the event was last delivered from. */
  topic: string;
  partition: number;
  offset: string;
  status: ExecutionStatus;
  /** Claims so far: 1 on first delivery, +1 for every redelivery while not yet terminal. */
  attempt: number;
  failures: number;
  lastError: { message: string; code: string | null } | null;
  outputEventIds: string[];
  durationMs: number | null;
  deadLetterReason: string | null;
  firstClaimedAt: Date;
  lastClaimedAt: Date;
  lastFailedAt: Date | null;
  endedAt: Date | null;
}

export interface StageExecutionStore {
  claim(input: ClaimInput): Promise<ExecutionClaim>;
  complete(
    stage: string,
    eventId: string,
    result: { outputEventIds: string[]; durationMs: number },
  ): Promise<void>;
  recordFailure(stage: string, eventId: string, error: { message: string; code?: string }): Promise<void>;
  deadLetter(stage: string, eventId: string, reason: string): Promise<void>;
  get(stage: string, eventId: string): Promise<StageExecution | null>;
}

/** The head row: the first claim plus best-effort copies of what the log decides. */
type ExecutionDoc = StageExecution & { claimToken: string };

/**
 * Insert-once decisions about one execution. `seq` 0 is the outcome (completed or dead-lettered, so
 * exactly one can exist); `seq` n ≥ 2 is the n-th claim (the head row's insert is the first).
 */
type LogEntry =
  | { stage: string; eventId: string; seq: number; type: 'claim'; at: Date }
  | {
      stage: string;
      eventId: string;
      seq: 0;
      type: 'completed';
      outputEventIds: string[];
      durationMs: number | null;
      at: Date;
    }
  | { stage: string; eventId: string; seq: 0; type: 'dead-lettered'; reason: string; at: Date };

type Outcome = Extract<LogEntry, { seq: 0 }>;

// Each round either returns or observed a concurrent change; a handful of rounds covers any real race.
const MAX_CLAIM_ROUNDS = 5;
const MAX_ATTEMPT_PROBES = 50;
const MAX_MESSAGE_CHARS = 2_000;

/**
 * The idempotency ledger on MongoDB and FerretDB, without transactions. Every decision that concurrent
 * deliveries could race on is an insert checked by a unique index — the one operation FerretDB 1.x
 * makes atomic (its conditional updates are read-then-write and can both apply):
 *  - the first claim inserts the `stageExecutions` row (unique stage+eventId), so one delivery gets attempt 1;
 *  - a later claim inserts its attempt number into `stageExecutionLog` (unique stage+eventId+seq);
 *  - the outcome inserts seq 0 there, so completed/dead-lettered is decided once and is terminal.
 * The row's status fields are then updated as a readable copy; `get` and `claim` trust the log.
 */
export class MongoStageExecutionStore implements StageExecutionStore {
  private readonly heads: Collection<ExecutionDoc>;
  private readonly log: Collection<LogEntry>;

  constructor(db: Db) {
    this.heads = db.collection<ExecutionDoc>(COLLECTIONS.stageExecutions);
    this.log = db.collection<LogEntry>(COLLECTIONS.stageExecutionLog);
  }

  async ensureIndexes(): Promise<void> {
    await this.heads.createIndex({ stage: 1, eventId: 1 }, { unique: true, name: 'stage_eventId_unique' });
    await this.heads.createIndex({ runId: 1 }, { name: 'runId' });
    await this.log.createIndex(
      { stage: 1, eventId: 1, seq: 1 },
      { unique: true, name: 'stage_eventId_seq_unique' },
    );
  }

  async claim(input: ClaimInput): Promise<ExecutionClaim> {
    assertNonEmpty(input.stage, 'stage');
    assertNonEmpty(input.eventId, 'eventId');
    const key = { stage: input.stage, eventId: input.eventId };
    for (let round = 0; round < MAX_CLAIM_ROUNDS; round++) {
      const entries = await this.entries(input.stage, input.eventId);
      const outcome = outcomeOf(entries);
      if (outcome) return claimOf(outcome);

      const token = randomUUID();
      const now = new Date();
      let row: WithId<ExecutionDoc> | null;
      try {
        row = await this.heads.findOneAndUpdate(
          key,
          { $setOnInsert: this.fresh(input, token, now) },
          { upsert: true, returnDocument: 'after' },
        );
      } catch (err) {
        // Two first deliveries raced and the other one's insert won: read its row in the next round.
        if (isDuplicateKeyError(err)) continue;
        throw err;
      }
      if (row === null) continue;
      if (row.claimToken === token) return { kind: 'claimed', attempt: 1 };

      // Claimed before and not finished: a retry after a failure or crash, or a concurrent redelivery.
      const attempt = await this.nextAttempt(input, Math.max(row.attempt, lastClaimSeq(entries)) + 1, now);
      await this.heads.updateOne(key, {
        $set: {
          attempt,
          lastClaimedAt: now,
          ...(input.codeVersion === undefined ? {} : { codeVersion: input.codeVersion }),
          topic: input.topic,
          partition: input.partition,
          offset: input.offset,
        },
      });
      return { kind: 'claimed', attempt };
    }
    throw new Error(`claim of event ${input.eventId} by stage '${input.stage}' did not settle`);
  }

  async complete(
    stage: string,
    eventId: string,
    result: { outputEventIds: string[]; durationMs: number },
  ): Promise<void> {
    const at = new Date();
    const durationMs = Number.isFinite(result.durationMs) ? result.durationMs : null;
    const outcome: Outcome = {
      stage,
      eventId,
      seq: 0,
      type: 'completed',
      outputEventIds: [...result.outputEventIds],
      durationMs,
      at,
    };
    if (await this.decide(outcome)) {
      await this.heads.updateOne(
        { stage, eventId },
        { $set: { status: 'completed', outputEventIds: outcome.outputEventIds, durationMs, endedAt: at } },
      );
    }
  }

  async recordFailure(
    stage: string,
    eventId: string,
    error: { message: string; code?: string },
  ): Promise<void> {
    if ((await this.heads.findOne({ stage, eventId })) === null)
      throw new ExecutionNotFoundError(stage, eventId);
    // A late failure report for an execution another delivery already finished changes nothing.
    if (outcomeOf(await this.entries(stage, eventId))) return;
    await this.heads.updateOne(
      { stage, eventId },
      {
        $set: {
          lastError: { message: error.message.slice(0, MAX_MESSAGE_CHARS), code: error.code ?? null },
          lastFailedAt: new Date(),
        },
        $inc: { failures: 1 },
      },
    );
  }

  async deadLetter(stage: string, eventId: string, reason: string): Promise<void> {
    const at = new Date();
    const outcome: Outcome = {
      stage,
      eventId,
      seq: 0,
      type: 'dead-lettered',
      reason: reason.slice(0, MAX_MESSAGE_CHARS),
      at,
    };
    if (await this.decide(outcome)) {
      await this.heads.updateOne(
        { stage, eventId },
        { $set: { status: 'dead-lettered', deadLetterReason: outcome.reason, endedAt: at } },
      );
    }
  }

  async get(stage: string, eventId: string): Promise<StageExecution | null> {
    const row = await this.heads.findOne({ stage, eventId });
    return row === null ? null : toExecution(row, await this.entries(stage, eventId));
  }

  /** Executions of one run, oldest first (for `netsentry status` and debugging); status as last copied. */
  async byRun(runId: string): Promise<StageExecution[]> {
    const rows = await this.heads.find({ runId }).sort({ firstClaimedAt: 1 }).toArray();
    return rows.map((row) => toExecution(row, []));
  }

  /**
   * Records the outcome once. True when this call decided it; false when the same outcome was already
   * recorded (redelivery); ExecutionStateError when the other outcome was.
   */
  private async decide(outcome: Outcome): Promise<boolean> {
    const { stage, eventId } = outcome;
    if ((await this.heads.findOne({ stage, eventId })) === null)
      throw new ExecutionNotFoundError(stage, eventId);
    try {
      await this.log.insertOne({ ...outcome });
      return true;
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
    const existing = outcomeOf(await this.entries(stage, eventId));
    if (existing?.type === outcome.type) return false;
    throw new ExecutionStateError(stage, eventId, existing?.type ?? 'claimed', outcome.type);
  }

  /** Takes the first free attempt number from `from` on, with an insert-once log entry per number. */
  private async nextAttempt(input: ClaimInput, from: number, at: Date): Promise<number> {
    for (let attempt = from; attempt < from + MAX_ATTEMPT_PROBES; attempt++) {
      try {
        await this.log.insertOne({
          stage: input.stage,
          eventId: input.eventId,
          seq: attempt,
          type: 'claim',
          at,
        });
        return attempt;
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
      }
    }
    throw new Error(`no free attempt number for event ${input.eventId} by stage '${input.stage}'`);
  }

  private async entries(stage: string, eventId: string): Promise<LogEntry[]> {
    const rows = await this.log.find({ stage, eventId }).toArray();
    return rows.map((row) => withoutId(row));
  }

  private fresh(input: ClaimInput, token: string, now: Date): ExecutionDoc {
    return {
      stage: input.stage,
      eventId: input.eventId,
      runId: input.runId,
      correlationId: input.correlationId,
      codeVersion: input.codeVersion ?? null,
      topic: input.topic,
      partition: input.partition,
      offset: input.offset,
      status: 'claimed',
      attempt: 1,
      failures: 0,
      lastError: null,
      outputEventIds: [],
      durationMs: null,
      deadLetterReason: null,
      firstClaimedAt: now,
      lastClaimedAt: now,
      lastFailedAt: null,
      endedAt: null,
      claimToken: token,
    };
  }
}

function outcomeOf(entries: LogEntry[]): Outcome | null {
  for (const entry of entries) if (entry.type !== 'claim') return entry;
  return null;
}

function lastClaimSeq(entries: LogEntry[]): number {
  return entries.reduce((max, e) => (e.type === 'claim' ? Math.max(max, e.seq) : max), 1);
}

function claimOf(outcome: Outcome): ExecutionClaim {
  return outcome.type === 'completed'
    ? { kind: 'completed', outputEventIds: outcome.outputEventIds }
    : { kind: 'dead-lettered', reason: outcome.reason };
}

/**
 * The execution as the API promises it: the head row corrected by the log. Absent fields read as their
 * empty values because FerretDB 1.x drops top-level nulls and empty arrays written by $setOnInsert.
 */
function toExecution(row: WithId<ExecutionDoc>, entries: LogEntry[]): StageExecution {
  const { claimToken: _token, ...doc } = withoutId(row);
  const execution: StageExecution = {
    ...doc,
    runId: doc.runId ?? null,
    codeVersion: doc.codeVersion ?? null,
    attempt: Math.max(doc.attempt, lastClaimSeq(entries)),
    failures: doc.failures ?? 0,
    lastError: doc.lastError ?? null,
    outputEventIds: doc.outputEventIds ?? [],
    durationMs: doc.durationMs ?? null,
    deadLetterReason: doc.deadLetterReason ?? null,
    lastFailedAt: doc.lastFailedAt ?? null,
    endedAt: doc.endedAt ?? null,
  };
  const outcome = outcomeOf(entries);
  if (outcome?.type === 'completed') {
    return {
      ...execution,
      status: 'completed',
      outputEventIds: outcome.outputEventIds,
      durationMs: outcome.durationMs,
      endedAt: outcome.at,
    };
  }
  if (outcome?.type === 'dead-lettered') {
    return { ...execution, status: 'dead-lettered', deadLetterReason: outcome.reason, endedAt: outcome.at };
  }
  return execution;
}
