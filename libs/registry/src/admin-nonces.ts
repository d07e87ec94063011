import type { Collection, Db } from 'mongodb';
import { COLLECTIONS } from './collections';
import { assertName, assertNonEmpty, isDuplicateKeyError, withoutId } from './storable';

/** A signed admin command's nonce, first seen by a stage under an event id. */
export interface AdminNonce {
  stage: string;
  nonce: string;
  eventId: string;
  seenAt: Date;
}

/** `first`: never seen, or seen under this same event id (a redelivery). `replay`: seen under another. */
export type NonceClaim = { kind: 'first' } | { kind: 'replay'; of: AdminNonce };

/**
 * The nonces of the signed admin commands each stage has accepted, insert-once under a unique
 * (stage, nonce) index: the first delivery wins, a redelivery of the same event is recognised, and a
 * captured command republished under a new event id is a replay. Kept without expiry (one small row per
 * command; a command older than the replay window is refused as stale before its nonce is looked at).
 */
export class AdminNonceRepository {
  private readonly collection: Collection<AdminNonce>;

  constructor(db: Db) {
    this.collection = db.collection<AdminNonce>(COLLECTIONS.adminNonces);
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ stage: 1, nonce: 1 }, { unique: true, name: 'stage_nonce_unique' });
  }

  async claim(stage: string, nonce: string, eventId: string, seenAt = new Date()): Promise<NonceClaim> {
    assertName(stage, 'stage');
    assertNonEmpty(nonce, 'nonce');
    try {
      await this.collection.insertOne({ stage, nonce, eventId, seenAt });
      return { kind: 'first' };
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
    const row = await this.collection.findOne({ stage, nonce });
    if (row === null) throw new Error(`admin nonce ${nonce} of ${stage}: duplicate key but no row`);
    const seen = withoutId(row);
    return seen.eventId === eventId ? { kind: 'first' } : { kind: 'replay', of: seen };
  }
}
