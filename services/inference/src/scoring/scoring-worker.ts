import { parseDatasetSchema } from '@netsentry/dataset';
import { parseBundle } from '@netsentry/ml';
import { parentPort, workerData } from 'node:worker_threads';
import { DriftWatch } from '../drift/drift-watch';
import type { InferenceSettings } from '../inference.config';
import { buildLoadedModel, type LoadedModel } from '../model/model-holder';
import { scoreChunks, type ChunkInput, type ChunkScored } from './score-chunk';

// The scoring thread (decision 0107): the models the main thread serves, built here from the same bundle
// bytes, and scoreChunks for the chunks the main thread sends together (a round's partitions: one model
// call for each run of chunks with the same model). Requests are answered in order.

export interface ScoringWorkerData {
  readonly config: Pick<InferenceSettings, 'dataset' | 'drift' | 'adminSecret' | 'jsonIgnoredKeys'>;
  readonly producer: { readonly service: string; readonly version: string };
}

export type ScoringWorkerRequest =
  /** `key` names this load (chunks and the release name it); `version` is the model's. */
  | { type: 'load'; id: number; key: string; version: string; bundle: Uint8Array; schemaText: string }
  | { type: 'release'; id: number; key: string }
  /** Answered with one ChunkScored per input, in order. */
  | { type: 'score'; id: number; inputs: ChunkInput[] };

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
        const results: ChunkScored[] = [];
        const inputs = request.inputs;
        for (let from = 0; from < inputs.length;) {
          const key = inputs[from]!.version;
          let to = from + 1;
          while (to < inputs.length && inputs[to]!.version === key) to++;
          const model = models.get(key);
          if (model === undefined) throw new Error(`model ${key} is not loaded in the scoring thread`);
          results.push(...scoreChunks({ model, drift, producer: data.producer }, inputs.slice(from, to)));
          from = to;
        }
        return results;
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
          for (const scored of value as ChunkScored[])
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
