import { parseDatasetSchema } from '@netsentry/dataset';
import { parseBundle } from '@netsentry/ml';
import { parentPort, workerData } from 'node:worker_threads';
import { DriftWatch } from '../drift/drift-watch';
import type { InferenceSettings } from '../inference.config';
import { buildLoadedModel, type LoadedModel } from '../model/model-holder';
import { scoreChunk, type ChunkInput } from './score-chunk';

// The scoring thread (decision 0107): the models the main thread serves, built here from the same bundle
// bytes, and scoreChunk for every chunk the main thread sends. Requests are answered in order.

export interface ScoringWorkerData {
  readonly config: Pick<InferenceSettings, 'dataset' | 'drift' | 'adminSecret' | 'jsonIgnoredKeys'>;
  readonly producer: { readonly service: string; readonly version: string };
}

export type ScoringWorkerRequest =
  /** `key` names this load (chunks and the release name it); `version` is the model's. */
  | { type: 'load'; id: number; key: string; version: string; bundle: Uint8Array; schemaText: string }
  | { type: 'release'; id: number; key: string }
  | { type: 'score'; id: number; input: ChunkInput };

export type ScoringWorkerReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { name: string; message: string; code?: string } };

function serve(): void {
  const port = parentPort;
  if (port === null) throw new Error('scoring-worker runs as a worker thread');
  const data = workerData as ScoringWorkerData;
  const drift = new DriftWatch(
    data.config.drift,
    data.producer,
    data.config.dataset,
    data.config.adminSecret,
  );
  const models = new Map<string, LoadedModel>();
  const queue: ScoringWorkerRequest[] = [];
  let busy = false;

  async function handle(request: ScoringWorkerRequest): Promise<unknown> {
    switch (request.type) {
      case 'load': {
        if (models.has(request.key)) return null;
        const bundle = parseBundle(
          Buffer.from(request.bundle.buffer, request.bundle.byteOffset, request.bundle.byteLength),
        );
        const schema = parseDatasetSchema(request.schemaText);
        models.set(
          request.key,
          await buildLoadedModel(request.version, bundle, schema, data.config.jsonIgnoredKeys),
        );
        return null;
      }
      case 'release': {
        models.get(request.key)?.scorer.free();
        models.delete(request.key);
        return null;
      }
      case 'score': {
        const model = models.get(request.input.version);
        if (model === undefined)
          throw new Error(`model ${request.input.version} is not loaded in the scoring thread`);
        const scored = scoreChunk({ model, drift, producer: data.producer }, request.input);
        return scored;
      }
    }
  }

  async function drain(): Promise<void> {
    busy = true;
    while (queue.length > 0) {
      const request = queue.shift()!;
      try {
        const value = await handle(request);
        const transfer: ArrayBuffer[] = [];
        if (request.type === 'score') {
          const scored = value as ReturnType<typeof scoreChunk>;
          transfer.push(
            scored.predictions.buffer as ArrayBuffer,
            scored.predictionSpans.buffer as ArrayBuffer,
            scored.endToEndMs.buffer as ArrayBuffer,
          );
        }
        port!.postMessage({ id: request.id, ok: true, value } satisfies ScoringWorkerReply, transfer);
      } catch (error) {
        const e = error as Error & { code?: unknown };
        port!.postMessage({
          id: request.id,
          ok: false,
          error: {
            name: e.name ?? 'Error',
            message: e.message ?? String(error),
            ...(typeof e.code === 'string' ? { code: e.code } : {}),
          },
        } satisfies ScoringWorkerReply);
      }
    }
    busy = false;
  }

  port.on('message', (request: ScoringWorkerRequest) => {
    queue.push(request);
    if (!busy) void drain();
  });
}

serve();
