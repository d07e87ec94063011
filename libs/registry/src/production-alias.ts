import type { Collection, Db } from 'mongodb';
import { COLLECTIONS } from './collections';
import { AliasConflictError, RegistryValueError } from './errors';
import { assertName, assertNonEmpty, isDuplicateKeyError, withoutId } from './storable';

export type AliasAction = 'PUSH' | 'ROLLBACK' | 'PROMOTE';

/** Where an alias points now. */
export interface AliasState {
  alias: string;
  version: string;
  /** Increases by one with every move; 0 means "never moved" when passed as expectedRevision. */
  revision: number;
  movedAt: Date;
  reason: string;
  actor: string;
  action: AliasAction;
  /** The event whose handling made this move. */
  eventId: string;
}

/** One move of an alias; the history is the log, the alias row its materialised head. */
export interface AliasHistoryEntry extends AliasState {
  previousVersion: string | null;
}

export interface MoveAliasOptions {
  /** The revision the caller read (0 when the alias does not exist yet): compare-and-set. */
  expectedRevision: number;
  reason: string;
  actor: string;
  action: AliasAction;
  /** Idempotency key: a move with an eventId already in the history is a no-op. */
  eventId: string;
}

/**
 * The one deployment-wide alias of releases before production was kept per dataset. Nothing moves it any
 * more; the pusher carries it over to its dataset's alias once at start-up (see docs/operations.md).
 */
export const LEGACY_PRODUCTION_ALIAS = 'production';

/** Production aliases are `production-<dataset>`: one production model per dataset. */
export const PRODUCTION_ALIAS_PREFIX = 'production-';

/** Dataset names as the dataset schema format allows them (lower-case letters, digits, - and _). */
const DATASET_NAME = /^[a-z0-9][a-z0-9_-]*$/;
const MAX_DATASET_NAME = 128 - PRODUCTION_ALIAS_PREFIX.length;

/**
 * The name of the alias that points at `dataset`'s production model, e.g. `production-phishing`. Every
 * dataset has its own production model, history, rollback and promotion. Throws RegistryValueError for a
 * name the dataset schema format would refuse (or one too long to make an alias name).
 */
export function productionAliasName(dataset: string): string {
  if (!DATASET_NAME.test(dataset) || dataset.length > MAX_DATASET_NAME) {
    throw new RegistryValueError(
      'dataset',
      `'${dataset}' must match ${DATASET_NAME.source} and be at most ${MAX_DATASET_NAME} characters`,
    );
  }
  return `${PRODUCTION_ALIAS_PREFIX}${dataset}`;
}

/** The dataset whose production alias `alias` is, or null for any other alias (the legacy one included). */
export function datasetOfProductionAlias(alias: string): string | null {
  if (!alias.startsWith(PRODUCTION_ALIAS_PREFIX)) return null;
  const dataset = alias.slice(PRODUCTION_ALIAS_PREFIX.length);
  return DATASET_NAME.test(dataset) ? dataset : null;
}

/**
 * Named pointers to model versions (`production-<dataset>`), moved with optimistic concurrency and an
 * append-only history, without transactions:
 *  1. the move is first appended to `aliasHistory` at revision N+1 — the unique (alias, revision) index
 *     lets exactly one of two concurrent movers win, and unique (alias, eventId) makes it idempotent;
 *  2. then the head row in `aliases` is moved from N to N+1 with a conditional update.
 * A crash between the two leaves a history row ahead of the head; every read and move first rolls the
 * head forward, so the log is the truth and nothing is lost.
 */
export class ProductionAlias {
  private readonly heads: Collection<AliasState>;
  private readonly log: Collection<AliasHistoryEntry>;

  constructor(db: Db) {
    this.heads = db.collection<AliasState>(COLLECTIONS.aliases);
    this.log = db.collection<AliasHistoryEntry>(COLLECTIONS.aliasHistory);
  }

  async ensureIndexes(): Promise<void> {
    await this.heads.createIndex({ alias: 1 }, { unique: true, name: 'alias_unique' });
    await this.log.createIndex({ alias: 1, revision: 1 }, { unique: true, name: 'alias_revision_unique' });
    await this.log.createIndex({ alias: 1, eventId: 1 }, { unique: true, name: 'alias_eventId_unique' });
    await this.log.createIndex({ eventId: 1 }, { name: 'eventId' });
  }

  async get(alias: string): Promise<AliasState | null> {
    return this.rollForward(alias);
  }

  /** Every alias whose name starts with `prefix` that has moved at least once, by name. */
  async list(prefix = ''): Promise<AliasState[]> {
    // Every alias has a revision-1 row in the log even if a crash left it without a head.
    const firsts = await this.log.find({ revision: 1 }).project<{ alias: string }>({ alias: 1 }).toArray();
    const names = [...new Set(firsts.map((f) => f.alias).filter((a) => a.startsWith(prefix)))].sort();
    const heads: AliasState[] = [];
    for (const name of names) {
      const head = await this.rollForward(name);
      if (head) heads.push(head);
    }
    return heads;
  }

  /** The move an event made, whichever alias it moved (a redelivered command finds its own move). */
  async moveByEvent(eventId: string): Promise<AliasHistoryEntry | null> {
    const row = await this.log.findOne({ eventId });
    return row === null ? null : withoutId(row);
  }

  /**
   * Points the alias at `toVersion` if it is still at `expectedRevision` (else AliasConflictError).
   * Redelivery-safe: a move whose eventId is already recorded returns the current state unchanged.
   */
  async move(alias: string, toVersion: string, options: MoveAliasOptions): Promise<AliasState> {
    assertName(alias, 'alias');
    assertNonEmpty(toVersion, 'toVersion');
    assertNonEmpty(options.eventId, 'eventId');
    if (!Number.isSafeInteger(options.expectedRevision) || options.expectedRevision < 0) {
      throw new RegistryValueError('expectedRevision', 'must be a non-negative integer');
    }

    if (await this.alreadyMoved(alias, options.eventId)) return this.current(alias);
    const head = await this.rollForward(alias);
    const actual = head?.revision ?? 0;
    if (actual !== options.expectedRevision)
      throw new AliasConflictError(alias, options.expectedRevision, actual);

    const entry: AliasHistoryEntry = {
      alias,
      version: toVersion,
      revision: actual + 1,
      previousVersion: head?.version ?? null,
      movedAt: new Date(),
      reason: options.reason,
      actor: options.actor,
      action: options.action,
      eventId: options.eventId,
    };
    try {
      await this.log.insertOne({ ...entry });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      // Either the same event raced itself (fine: it applied once) or another move took revision N+1.
      if (await this.alreadyMoved(alias, options.eventId)) return this.current(alias);
      const now = await this.rollForward(alias);
      throw new AliasConflictError(alias, options.expectedRevision, now?.revision ?? 0);
    }
    await this.apply(entry);
    return stateOf(entry);
  }

  /** Moves, newest first. */
  async history(alias: string, limit = 20): Promise<AliasHistoryEntry[]> {
    const rows = await this.log.find({ alias }).sort({ revision: -1 }).limit(limit).toArray();
    return rows.map((row) => withoutId(row));
  }

  /**
   * The most recent earlier move to a version other than the current one — the target of a ROLLBACK
   * without a named version. Like `kubectl rollout undo`, rolling back twice returns to where it started.
   */
  async previous(alias: string): Promise<AliasHistoryEntry | null> {
    const head = await this.rollForward(alias);
    if (head === null) return null;
    const row = await this.log
      .find({ alias, revision: { $lt: head.revision }, version: { $ne: head.version } })
      .sort({ revision: -1 })
      .limit(1)
      .next();
    return row === null ? null : withoutId(row);
  }

  private async alreadyMoved(alias: string, eventId: string): Promise<boolean> {
    return (await this.log.findOne({ alias, eventId })) !== null;
  }

  private async current(alias: string): Promise<AliasState> {
    const head = await this.rollForward(alias);
    if (head === null) throw new Error(`alias '${alias}' has history but no head after roll-forward`);
    return head;
  }

  /** Applies history rows the head has not caught up with (after a crash mid-move); returns the head. */
  private async rollForward(alias: string): Promise<AliasState | null> {
    const row = await this.heads.findOne({ alias });
    let head = row === null ? null : withoutId(row);
    const pending = await this.log
      .find({ alias, revision: { $gt: head?.revision ?? 0 } })
      .sort({ revision: 1 })
      .toArray();
    for (const entry of pending.map((p) => withoutId(p))) {
      await this.apply(entry);
      head = stateOf(entry);
    }
    return head;
  }

  /** Moves the head from revision N-1 to the entry's N; a no-op when it already moved. */
  private async apply(entry: AliasHistoryEntry): Promise<void> {
    const state = stateOf(entry);
    if (entry.revision === 1) {
      try {
        await this.heads.insertOne({ ...state });
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
      }
      return;
    }
    await this.heads.updateOne({ alias: entry.alias, revision: entry.revision - 1 }, { $set: state });
  }
}

function stateOf(entry: AliasHistoryEntry): AliasState {
  return {
    alias: entry.alias,
    version: entry.version,
    revision: entry.revision,
    movedAt: entry.movedAt,
    reason: entry.reason,
    actor: entry.actor,
    action: entry.action,
    eventId: entry.eventId,
  };
}
