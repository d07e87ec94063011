import type { LiveDriftReport } from '@netsentry/ml';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { DriftWatch } from '../drift/drift-watch';
import type { InferenceSettings } from '../inference.config';
import type { LoadedModel } from '../model/model-holder';
import { scoreChunk, type ChunkInput, type ChunkScored } from './score-chunk';
import type { ScoringWorkerData, ScoringWorkerReply, ScoringWorkerRequest } from './scoring-worker';

export const CHUNK_SCORER = Symbol('CHUNK_SCORER');

/** What the scoring thread needs to build the same model the main thread serves. */
export interface ModelSource {
  readonly bundle: Uint8Array;
  readonly schemaText: string;
}

/**
 * Where the stream's chunks are scored (decision 0107): on a worker thread (the default), so decoding,
 * checks, the model and encoding run beside the thread that drives Kafka, or on the main thread.
 */
export interface ChunkScorer {
  readonly mode: 'thread' | 'inline';
  /** Makes `model` available to `score` (the thread builds its own copy from the same bytes). */
  load(model: LoadedModel, source: ModelSource): Promise<void>;
  /**
   * A model no longer served (after its grace period). By instance, not version: a rollback can load the
   * same version again while the old instance's grace period runs.
   */
  release(model: LoadedModel): void;
  score(input: ChunkInput, model: LoadedModel): Promise<ChunkScored>;
  /** The latest drift evaluation, for the status endpoint and tests. */
  readonly latestDrift: LiveDriftReport | null;
  close(): Promise<void>;
}

type EnvelopeProducer = { readonly service: string; readonly version: string };

/** Scores on the calling thread. */
export class InlineChunkScorer implements ChunkScorer {
  readonly mode = 'inline' as const;
  private readonly drift: DriftWatch;

  constructor(
    config: InferenceSettings,
    private readonly producer: EnvelopeProducer,
  ) {
    this.drift = new DriftWatch(config.drift, producer, config.dataset, config.adminSecret);
  }

  get latestDrift(): LiveDriftReport | null {
    return this.drift.latest;
  }

  load(): Promise<void> {
    return Promise.resolve();
  }

  release(): void {}

  score(input: ChunkInput, model: LoadedModel): Promise<ChunkScored> {
    return Promise.resolve(scoreChunk({ model, drift: this.drift, producer: this.producer }, input));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** The compiled worker entry: beside this file in dist, or dist's when running from the TypeScript source. */
export function scoringWorkerPath(): string {
  const here = __filename.endsWith('.ts')
    ? join(__dirname, '../../dist/scoring/scoring-worker.js')
    : join(__dirname, 'scoring-worker.js');
  if (!existsSync(here))
    throw new Error(`the scoring thread's entry ${here} is missing: build first (npm run build)`);
  return here;
}

interface Pending {
  readonly request: ScoringWorkerRequest;
  readonly transfer: ArrayBuffer[];
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export interface ThreadEvents {
  /** The worker died (it is restarted, and what it was doing is sent again). */
  onCrash(error: Error): void;
}

/**
 * Scores on one worker thread. Requests are answered in order; models are loaded into the worker before the
 * main thread serves them, and a chunk names the version it is scored with, so a swap is atomic per chunk.
 * A worker that dies is restarted with the models it held, and the requests it had are sent again.
 */
export class ThreadChunkScorer implements ChunkScorer {
  readonly mode = 'thread' as const;
  private worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** What the thread holds, by load key (`<version>#<n>`: one per load, so a reload never shares one). */
  private readonly models = new Map<string, { version: string; source: ModelSource }>();
  private readonly keys = new WeakMap<LoadedModel, string>();
  private loads = 0;
  private drift: LiveDriftReport | null = null;
  /** Chunks asked for in this turn of the event loop, sent together at its end. */
  private gathering: {
    input: ChunkInput;
    resolve(scored: ChunkScored): void;
    reject(error: Error): void;
  }[] = [];
  private closing = false;
  private spawnedAt = 0;
  /** Set when the worker died right after starting (a broken install): every request fails with it. */
  private broken: Error | null = null;

  constructor(
    private readonly data: ScoringWorkerData,
    private readonly events: ThreadEvents,
    private readonly path: string = scoringWorkerPath(),
  ) {
    this.worker = this.spawn();
  }

  get latestDrift(): LiveDriftReport | null {
    return this.drift;
  }

  async load(model: LoadedModel, source: ModelSource): Promise<void> {
    const key = `${model.version}#${++this.loads}`;
    await this.request({ type: 'load', id: 0, key, version: model.version, ...source }, []);
    this.models.set(key, { version: model.version, source });
    this.keys.set(model, key);
  }

  release(model: LoadedModel): void {
    const key = this.keys.get(model);
    if (key === undefined || !this.models.delete(key)) return;
    this.keys.delete(model);
    void this.request({ type: 'release', id: 0, key }, []).catch(() => undefined);
  }

  /**
   * Chunks asked for in the same turn of the event loop (a round's partitions, dispatched together) go to
   * the thread as one request and are scored with one model call (`scoreChunks`): at a few thousand
   * records a second, a round of 12 partitions is a dozen chunks of a few records each, and the per-call cost
   * (frame, preprocessing, the model, the thread hop) was most of the scoring thread's time.
   */
  score(input: ChunkInput, model: LoadedModel): Promise<ChunkScored> {
    const key = this.keys.get(model);
    if (key === undefined)
      return Promise.reject(new Error(`model ${model.version} was not loaded into the scoring thread`));
    return new Promise((resolve, reject) => {
      this.gathering.push({ input: { ...input, version: key }, resolve, reject });
      if (this.gathering.length === 1) setImmediate(() => this.sendGathered());
    });
  }

  private sendGathered(): void {
    const gathered = this.gathering;
    this.gathering = [];
    const inputs = gathered.map((g) => g.input);
    const transfer = inputs.flatMap((i) => [
      i.bytes.buffer,
      i.spans.buffer,
      i.timestamps.buffer,
      i.offsets.buffer,
    ]) as ArrayBuffer[];
    this.request({ type: 'score', id: 0, inputs }, transfer).then(
      (value) => {
        const results = value as ChunkScored[];
        for (let i = 0; i < gathered.length; i++) {
          const scored = results[i]!;
          if (scored.drift.report !== null) this.drift = scored.drift.report;
          gathered[i]!.resolve(scored);
        }
      },
      (error: Error) => {
        for (const g of gathered) g.reject(error);
      },
    );
  }

  /** After the requests in flight are answered (at most `graceMs`): a chunk being scored still commits. */
  async close(graceMs = 10_000): Promise<void> {
    const deadline = Date.now() + graceMs;
    while (this.pending.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    this.closing = true;
    for (const p of this.pending.values()) p.reject(new Error('scoring thread closed'));
    this.pending.clear();
    await this.worker.terminate();
  }

  private request(request: ScoringWorkerRequest, transfer: ArrayBuffer[]): Promise<unknown> {
    if (this.closing) return Promise.reject(new Error('scoring thread closed'));
    if (this.broken !== null) return Promise.reject(this.broken);
    const id = this.nextId++;
    const sent = { ...request, id };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { request: sent, transfer, resolve, reject });
      this.worker.postMessage(sent, transfer);
    });
  }

  private spawn(): Worker {
    // Without the development condition the test runner adds: the worker runs the compiled packages.
    const worker = newWorkerWithFlags(this.path, this.data, nodeFlagsForWorker(process.execArgv));
    this.spawnedAt = Date.now();
    worker.unref();
    worker.on('message', (reply: ScoringWorkerReply) => {
      const p = this.pending.get(reply.id);
      if (p === undefined) return;
      this.pending.delete(reply.id);
      if (reply.ok) p.resolve(reply.value);
      else
        p.reject(
          Object.assign(new Error(reply.error.message), { name: reply.error.name, code: reply.error.code }),
        );
    });
    worker.on('error', (error) => this.crashed(worker, error));
    worker.on('exit', (code) => {
      if (!this.closing) this.crashed(worker, new Error(`scoring thread exited with code ${code}`));
    });
    return worker;
  }

  private crashed(worker: Worker, error: Error): void {
    if (this.closing || worker !== this.worker) return;
    this.events.onCrash(error);
    void worker.terminate().catch(() => undefined);
    if (Date.now() - this.spawnedAt < MIN_UPTIME_MS) {
      // Died while starting: restarting would only loop. Every request fails with the reason from now on.
      this.broken = new Error(`the scoring thread cannot start: ${error.message}`);
      for (const p of this.pending.values()) p.reject(this.broken);
      this.pending.clear();
      return;
    }
    this.worker = this.spawn();
    // The models first (requests are answered in order), then whatever the dead worker had. A chunk's
    // transferred buffers went with it: those chunks fail and the runtime retries them.
    for (const [key, { version, source }] of this.models) {
      this.worker.postMessage({
        type: 'load',
        id: 0,
        key,
        version,
        ...source,
      } satisfies ScoringWorkerRequest);
    }
    for (const [id, p] of [...this.pending]) {
      if (p.request.type === 'score') {
        this.pending.delete(id);
        p.reject(new Error(`the scoring thread died while scoring this chunk: ${error.message}`));
      } else this.worker.postMessage(p.request);
    }
  }
}

/** A worker that dies sooner than this after starting is not restarted. */
const MIN_UPTIME_MS = 5_000;

/**
 * A worker with the process's flags, less those a worker refuses: V8 and per-process options such as
 * `--trace-gc` or `--max-old-space-size` (they apply to the whole process, the worker included, anyway).
 * Node names the refused flags in its error; the worker is started once more without them.
 */
export function newWorkerWithFlags(path: string, workerData: unknown, flags: readonly string[]): Worker {
  try {
    return new Worker(path, { workerData, execArgv: [...flags] });
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw error;
    const refused = new Set(
      (error as Error).message
        .slice((error as Error).message.indexOf(':') + 1)
        .split(',')
        .map((f) => f.trim()),
    );
    return new Worker(path, { workerData, execArgv: flags.filter((f) => !refused.has(f)) });
  }
}

/** The process's Node flags for a worker, without `--conditions` (vitest adds `development`: TypeScript sources). */
export function nodeFlagsForWorker(execArgv: readonly string[]): string[] {
  const flags: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const flag = execArgv[i]!;
    if (flag === '--conditions' || flag === '-C') i++;
    else if (!flag.startsWith('--conditions=')) flags.push(flag);
  }
  return flags;
}
