import type { ArtifactRef } from '@netsentry/contracts';
import type { Collection, Db } from 'mongodb';
import { COLLECTIONS } from './collections';
import { RegistryConflictError } from './errors';
import { assertNonEmpty, isDuplicateKeyError, withoutId } from './storable';

/** An artifact and where it came from: the registry half of lineage (the bytes live in S3). */
/** The artifact kinds the stages exchange through the registry (the `kind` of `record`). */
export const ARTIFACT_KINDS = {
  /** A run's training-data profile (written by validation): the reference for drift checks. */
  referenceProfile: 'profile/reference',
  /** A model bundle's immutable copy under the production prefix (written by the pusher before it moves an alias). */
  productionBundle: 'model/production-bundle',
} as const;

export interface ArtifactRecord {
  uri: string;
  sha256: string;
  sizeBytes: number;
  rowCount: number | null;
  mediaType: string;
  /** e.g. 'dataset/train', 'report/validation', 'model/bundle'. */
  kind: string;
  runId: string;
  /** URIs of the artifacts this one was made from. */
  parents: string[];
  producedBy: { stage: string; eventId: string };
  createdAt: Date;
}

export interface RecordArtifactInput {
  ref: ArtifactRef;
  kind: string;
  runId: string;
  parents: string[];
  producedBy: { stage: string; eventId: string };
  createdAt?: Date;
}

export interface LineageEntry {
  /** 1 for direct parents, 2 for grandparents, … */
  depth: number;
  artifact: ArtifactRecord;
}

export interface Lineage {
  /** The artifact asked about; null when it was never recorded. */
  root: ArtifactRecord | null;
  /** Every recorded ancestor once, nearest first (by depth, then uri). */
  ancestors: LineageEntry[];
  /** Parents referenced by some ancestor but not recorded (e.g. produced outside the pipeline). */
  missing: string[];
  /** True when the walk stopped at maxDepth with parents left unexplored. */
  truncated: boolean;
}

/** Artifacts with their parents. `record` is insert-once by uri; lineage walks parents level by level. */
export class ArtifactRepository {
  private readonly collection: Collection<ArtifactRecord>;

  constructor(db: Db) {
    this.collection = db.collection<ArtifactRecord>(COLLECTIONS.artifacts);
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ uri: 1 }, { unique: true, name: 'uri_unique' });
    await this.collection.createIndex({ runId: 1 }, { name: 'runId' });
  }

  /** Records an artifact; recording the same one again returns the stored row (redelivery). */
  async record(input: RecordArtifactInput): Promise<ArtifactRecord> {
    assertNonEmpty(input.ref.uri, 'ref.uri');
    assertNonEmpty(input.kind, 'kind');
    const record: ArtifactRecord = {
      uri: input.ref.uri,
      sha256: input.ref.sha256,
      sizeBytes: input.ref.sizeBytes,
      rowCount: input.ref.rowCount,
      mediaType: input.ref.mediaType,
      kind: input.kind,
      runId: input.runId,
      parents: [...new Set(input.parents)],
      producedBy: { stage: input.producedBy.stage, eventId: input.producedBy.eventId },
      createdAt: input.createdAt ?? new Date(),
    };
    try {
      await this.collection.insertOne({ ...record });
      return record;
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
    const existing = await this.get(record.uri);
    if (existing === null) throw new Error(`artifact ${record.uri}: duplicate key but no row`);
    if (existing.sha256 !== record.sha256) {
      throw new RegistryConflictError('artifact', record.uri, `sha256 ${existing.sha256} ≠ ${record.sha256}`);
    }
    return existing;
  }

  async get(uri: string): Promise<ArtifactRecord | null> {
    const row = await this.collection.findOne({ uri });
    return row === null ? null : withoutId(row);
  }

  /** The run's most recent artifact of `kind`, or null. */
  async latestOfKind(runId: string, kind: string): Promise<ArtifactRecord | null> {
    const rows = (await this.byRun(runId)).filter((a) => a.kind === kind);
    return rows[rows.length - 1] ?? null;
  }

  async byRun(runId: string): Promise<ArtifactRecord[]> {
    const rows = await this.collection.find({ runId }).sort({ createdAt: 1, uri: 1 }).toArray();
    return rows.map((row) => withoutId(row));
  }

  /**
   * The ancestry of an artifact. One `$in` query per generation (no $graphLookup, which FerretDB lacks);
   * a visited set makes shared ancestors appear once and stops on cycles.
   */
  async lineage(uri: string, options: { maxDepth?: number } = {}): Promise<Lineage> {
    const maxDepth = options.maxDepth ?? 32;
    const root = await this.get(uri);
    const ancestors: LineageEntry[] = [];
    const missing: string[] = [];
    if (root === null) return { root, ancestors, missing, truncated: false };

    const visited = new Set<string>([root.uri]);
    let frontier = root.parents.filter((p) => !visited.has(p));
    let depth = 1;
    while (frontier.length > 0 && depth <= maxDepth) {
      frontier.forEach((p) => visited.add(p));
      const rows = (await this.collection.find({ uri: { $in: frontier } }).toArray()).map((r) =>
        withoutId(r),
      );
      const found = new Set(rows.map((r) => r.uri));
      missing.push(...frontier.filter((p) => !found.has(p)).sort());
      rows
        .sort((a, b) => a.uri.localeCompare(b.uri))
        .forEach((artifact) => ancestors.push({ depth, artifact }));
      frontier = [...new Set(rows.flatMap((r) => r.parents))].filter((p) => !visited.has(p));
      depth++;
    }
    return { root, ancestors, missing, truncated: frontier.length > 0 };
  }
}

/** The event-facing reference to a recorded artifact. */
export function toArtifactRef(record: ArtifactRecord): ArtifactRef {
  return {
    uri: record.uri,
    sha256: record.sha256,
    sizeBytes: record.sizeBytes,
    rowCount: record.rowCount,
    mediaType: record.mediaType,
  };
}
