/* eslint-disable @typescript-eslint/require-await -- in-memory stand-ins keep the stores' async signatures */
import {
  ArtifactConflictError,
  ArtifactNotFoundError,
  type ArtifactBody,
  type PutArtifactInput,
  type PutJsonInput,
} from '@netsentry/artifacts';
import type { ArtifactRef } from '@netsentry/contracts';
import {
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
  type Run,
  type RunOutcome,
  type RunStatus,
  type StageSummary,
} from '@netsentry/registry';
import { AliasConflictError, datasetOfProductionAlias, PRODUCTION_ALIAS_PREFIX } from '@netsentry/registry';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';

// In-memory stand-ins for the store ports of the use cases' unit tests (no S3, no MongoDB): the same
// method names and outcomes as ArtifactStore and Registry for the calls the stages make, nothing more.
// Integration tests use the real stores.

async function bytesOf(body: ArtifactBody): Promise<Buffer> {
  if (Buffer.isBuffer(body)) return body;
  if (body instanceof Uint8Array) return Buffer.from(body);
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/** Content-addressed artifacts in a map, keyed by URI. */
export class MemoryArtifacts {
  readonly objects = new Map<
    string,
    { readonly bytes: Buffer; readonly ref: ArtifactRef; readonly kind: string }
  >();

  constructor(readonly bucket = 'memory') {}

  async put(input: PutArtifactInput): Promise<ArtifactRef> {
    const bytes = await bytesOf(input.body);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const ref: ArtifactRef = {
      uri: `s3://${this.bucket}/runs/${input.runId}/${input.kind}/${sha256}`,
      sha256,
      sizeBytes: bytes.length,
      rowCount: input.rowCount ?? null,
      mediaType: input.mediaType,
    };
    this.objects.set(ref.uri, { bytes, ref, kind: input.kind });
    return ref;
  }

  putJson(input: PutJsonInput): Promise<ArtifactRef> {
    const body = Buffer.from(JSON.stringify(input.value), 'utf8');
    return this.put({ runId: input.runId, kind: input.kind, body, mediaType: 'application/json' });
  }

  async open(ref: ArtifactRef): Promise<Readable> {
    return Readable.from([await this.getBuffer(ref)]);
  }

  async getBuffer(ref: ArtifactRef): Promise<Buffer> {
    const found = this.objects.get(ref.uri);
    if (found === undefined) throw new ArtifactNotFoundError(ref.uri);
    return found.bytes;
  }

  async getJson<T = unknown>(ref: ArtifactRef): Promise<T> {
    return JSON.parse((await this.getBuffer(ref)).toString('utf8')) as T;
  }

  async copy(ref: ArtifactRef, toPrefix: string, options: { name?: string } = {}): Promise<ArtifactRef> {
    const bytes = await this.getBuffer(ref);
    const uri = `s3://${this.bucket}/${toPrefix}/${options.name ?? ref.uri.split('/').at(-1)!}`;
    const existing = this.objects.get(uri);
    if (existing !== undefined && existing.ref.sha256 !== ref.sha256) {
      throw new ArtifactConflictError(uri, existing.ref.sha256, ref.sha256);
    }
    const copy = { ...ref, uri };
    this.objects.set(uri, { bytes, ref: copy, kind: 'copy' });
    return copy;
  }

  /** The stored artifacts of one kind (e.g. `dataset/train`), in the order they were written. */
  ofKind(kind: string): ArtifactRef[] {
    return [...this.objects.values()].filter((o) => o.kind === kind).map((o) => o.ref);
  }
}

/** The registry's runs, artifact records, models and production aliases, in memory. */
export class MemoryRegistry {
  private readonly runRows = new Map<string, Run>();
  private readonly artifactRows: ArtifactRecord[] = [];
  private readonly modelRows = new Map<string, ModelRecord>();
  private readonly modelLog = new Map<string, ModelTransition[]>();
  private readonly heads = new Map<string, AliasState>();
  private readonly aliasLog: AliasHistoryEntry[] = [];

  readonly runs = {
    openRun: async (input: OpenRunInput): Promise<Run> => {
      const existing = this.runRows.get(input.runId);
      if (existing !== undefined) return existing;
      const run: Run = {
        runId: input.runId,
        correlationId: input.correlationId,
        trigger: { ...input.trigger },
        dataset: input.dataset,
        status: 'running',
        startedAt: input.startedAt ?? new Date(),
        endedAt: null,
        reason: null,
        stages: {},
        revision: 0,
      };
      this.runRows.set(run.runId, run);
      return run;
    },
    get: async (runId: string): Promise<Run | null> => this.runRows.get(runId) ?? null,
    list: async (options: { status?: RunStatus; dataset?: string; limit?: number } = {}): Promise<Run[]> =>
      [...this.runRows.values()]
        .filter(
          (r) =>
            (options.status === undefined || r.status === options.status) &&
            (options.dataset === undefined || r.dataset === options.dataset),
        )
        .sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime())
        .slice(0, options.limit ?? 20),
    recordStage: async (
      runId: string,
      stage: string,
      summary: Omit<StageSummary, 'at'> & { at?: Date },
    ): Promise<void> => {
      const run = this.runRows.get(runId);
      if (run === undefined) throw new RunNotFoundError(runId);
      run.stages[stage] = { ...summary, at: summary.at ?? new Date() };
    },
    finishRun: async (
      runId: string,
      status: RunOutcome,
      options: { reason?: string | null; endedAt?: Date } = {},
    ): Promise<boolean> => {
      const run = this.runRows.get(runId);
      if (run === undefined) throw new RunNotFoundError(runId);
      if (run.status !== 'running') return false;
      Object.assign(run, {
        status,
        reason: options.reason ?? null,
        endedAt: options.endedAt ?? new Date(),
        revision: 1,
      });
      return true;
    },
  };

  readonly artifacts = {
    record: async (input: RecordArtifactInput): Promise<ArtifactRecord> => {
      const existing = this.artifactRows.find((a) => a.uri === input.ref.uri);
      if (existing !== undefined) return existing;
      const row: ArtifactRecord = {
        ...input.ref,
        kind: input.kind,
        runId: input.runId,
        parents: [...input.parents],
        producedBy: { ...input.producedBy },
        createdAt: input.createdAt ?? new Date(),
      };
      this.artifactRows.push(row);
      return row;
    },
    get: async (uri: string): Promise<ArtifactRecord | null> =>
      this.artifactRows.find((a) => a.uri === uri) ?? null,
    latestOfKind: async (runId: string, kind: string): Promise<ArtifactRecord | null> =>
      this.artifactRows.filter((a) => a.runId === runId && a.kind === kind).at(-1) ?? null,
    byRun: async (runId: string): Promise<ArtifactRecord[]> =>
      this.artifactRows.filter((a) => a.runId === runId),
  };

  readonly models = {
    get: async (version: string): Promise<ModelRecord | null> => this.modelRows.get(version) ?? null,
    list: async (
      options: { status?: ModelStatus; dataset?: string; limit?: number } = {},
    ): Promise<ModelRecord[]> =>
      [...this.modelRows.values()]
        .filter(
          (m) =>
            (options.status === undefined || m.status === options.status) &&
            (options.dataset === undefined || m.dataset === options.dataset),
        )
        .slice(0, options.limit ?? 20),
    transition: async (
      version: string,
      from: ModelStatus[],
      to: ModelStatus,
      extra: { reasons?: string[] } = {},
    ): Promise<boolean> => {
      const model = this.modelRows.get(version);
      if (model === undefined || !from.includes(model.status)) return false;
      const log = this.modelLog.get(version) ?? [];
      log.push({
        revision: model.revision + 1,
        from: model.status,
        to,
        reasons: extra.reasons ?? null,
        at: new Date(),
      });
      this.modelLog.set(version, log);
      this.modelRows.set(version, {
        ...model,
        status: to,
        revision: model.revision + 1,
        ...(extra.reasons ? { reasons: [...extra.reasons] } : {}),
      });
      return true;
    },
    transitions: async (version: string): Promise<ModelTransition[]> => [
      ...(this.modelLog.get(version) ?? []),
    ],
  };

  readonly aliases = {
    get: async (alias: string): Promise<AliasState | null> => this.heads.get(alias) ?? null,
    list: async (prefix = ''): Promise<AliasState[]> =>
      [...this.heads.values()].filter((h) => h.alias.startsWith(prefix)),
    moveByEvent: async (eventId: string): Promise<AliasHistoryEntry | null> =>
      this.aliasLog.find((e) => e.eventId === eventId) ?? null,
    history: async (alias: string, limit = 20): Promise<AliasHistoryEntry[]> =>
      this.aliasLog
        .filter((e) => e.alias === alias)
        .reverse()
        .slice(0, limit),
    previous: async (alias: string): Promise<AliasHistoryEntry | null> => {
      const head = this.heads.get(alias);
      if (head === undefined) return null;
      return this.aliasLog.filter((e) => e.alias === alias && e.version !== head.version).at(-1) ?? null;
    },
    move: async (alias: string, toVersion: string, options: MoveAliasOptions): Promise<AliasState> => {
      const done = this.aliasLog.find((e) => e.eventId === options.eventId);
      if (done !== undefined) return this.heads.get(alias)!;
      const head = this.heads.get(alias) ?? null;
      if ((head?.revision ?? 0) !== options.expectedRevision) {
        throw new AliasConflictError(alias, options.expectedRevision, head?.revision ?? 0);
      }
      const state: AliasState = {
        alias,
        version: toVersion,
        revision: (head?.revision ?? 0) + 1,
        movedAt: new Date(),
        reason: options.reason,
        actor: options.actor,
        action: options.action,
        eventId: options.eventId,
      };
      this.heads.set(alias, state);
      this.aliasLog.push({ ...state, previousVersion: head?.version ?? null });
      return state;
    },
  };

  async productions(): Promise<DatasetProduction[]> {
    return (await this.aliases.list(PRODUCTION_ALIAS_PREFIX)).flatMap((head) => {
      const dataset = datasetOfProductionAlias(head.alias);
      return dataset === null ? [] : [{ ...head, dataset }];
    });
  }

  /** Registers a model as the trainer (and evaluator) left it. */
  addModel(model: Partial<ModelRecord> & Pick<ModelRecord, 'version' | 'bundle'>): ModelRecord {
    const now = new Date();
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
      ...model,
    };
    this.modelRows.set(row.version, row);
    return row;
  }
}
