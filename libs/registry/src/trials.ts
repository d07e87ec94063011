import type { Collection, Db } from 'mongodb';
import { COLLECTIONS } from './collections';
import type { Params } from './models';
import { assertName, assertStorable, isDuplicateKeyError, withoutId } from './storable';
import { RegistryValueError } from './errors';

/** One hyperparameter-search trial of one candidate in one run. */
export interface Trial {
  runId: string;
  candidate: string;
  /** Position in the search, unique per (run, candidate). */
  trialIndex: number;
  params: Params;
  /** One score per cross-validation fold. */
  cvScores: number[];
  meanScore: number;
  durationMs: number;
  /**
   * Successive halving: the rung the trial reached (0-based `index` of `of`), the share of each fold's rows
   * trained on there and the training rows summed over the folds. `meanScore`/`cvScores` are from that rung;
   * only trials at the last rung (fraction 1) compare with the model's CV score. Absent on older trials.
   */
  rung?: { index: number; of: number; fraction: number; trainRows: number };
  /** Mean CV score at each rung the trial ran, lowest first. */
  rungScores?: number[];
  /** XGBoost early stopping: the boosting rounds each fold's model kept. */
  foldRounds?: number[];
  createdAt: Date;
}

export type RecordTrialInput = Omit<Trial, 'createdAt'> & { createdAt?: Date };

/** Search trials; insert-once per (runId, candidate, trialIndex) so a retried search records nothing twice. */
export class TrialRepository {
  private readonly collection: Collection<Trial>;

  constructor(db: Db) {
    this.collection = db.collection<Trial>(COLLECTIONS.trials);
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex(
      { runId: 1, candidate: 1, trialIndex: 1 },
      { unique: true, name: 'runId_candidate_trialIndex_unique' },
    );
  }

  /** True when recorded now, false when this trial was already there (its first record stands). */
  async record(input: RecordTrialInput): Promise<boolean> {
    assertName(input.candidate, 'candidate');
    if (!Number.isSafeInteger(input.trialIndex) || input.trialIndex < 0) {
      throw new RegistryValueError('trialIndex', 'must be a non-negative integer');
    }
    const trial: Trial = {
      runId: input.runId,
      candidate: input.candidate,
      trialIndex: input.trialIndex,
      params: { ...input.params },
      cvScores: [...input.cvScores],
      meanScore: input.meanScore,
      durationMs: input.durationMs,
      ...(input.rung ? { rung: { ...input.rung } } : {}),
      ...(input.rungScores ? { rungScores: [...input.rungScores] } : {}),
      ...(input.foldRounds ? { foldRounds: [...input.foldRounds] } : {}),
      createdAt: input.createdAt ?? new Date(),
    };
    assertStorable(trial, 'trial');
    try {
      await this.collection.insertOne(trial);
      return true;
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
  }

  /** Trials of a run (optionally one candidate), by candidate then index. */
  async list(runId: string, candidate?: string): Promise<Trial[]> {
    const filter = candidate === undefined ? { runId } : { runId, candidate };
    const rows = await this.collection.find(filter).sort({ candidate: 1, trialIndex: 1 }).toArray();
    return rows.map((row) => withoutId(row));
  }
}
