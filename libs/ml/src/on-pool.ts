import type { Column, Frame } from './frame';
import type { WorkerPool } from './engines/worker-pool';
import type { FittedPreprocessor, PreprocessedMatrix } from './preprocessing/preprocessor';

/**
 * Where long work reports how far it is: a phase of `total` rows, updated as rows are done. Structurally
 * the `Progress` of @netsentry/observability (log lines and gauges); libs/ml depends on no logger.
 */
export interface ProgressSink {
  phase(name: string, total: number): { update(done: number): void; finish(): void };
}

/** Rows a worker job handles at a time when a frame is preprocessed or scored on a pool. */
export const POOL_CHUNK_ROWS = 10_000;

/** Rows `start..end-1` of a frame, copied (their own buffers: they can be transferred to a worker). */
export function sliceRows(frame: Frame, start: number, end: number): Frame {
  const s = Math.max(0, start);
  const e = Math.min(frame.rows, end);
  return {
    rows: Math.max(0, e - s),
    columns: frame.columns.map((c): Column =>
      c.kind === 'numeric'
        ? { kind: 'numeric', name: c.name, values: c.values.slice(s, e) }
        : { kind: 'categorical', name: c.name, values: c.values.slice(s, e) },
    ),
  };
}

interface ChunkOptions {
  readonly chunkRows?: number;
  /** Called with the rows done so far as chunks finish. */
  readonly onRows?: (done: number) => void;
}

/** Runs `job` on every chunk of the frame's rows (on the pool), in parallel; results in chunk order. */
async function chunked<T>(
  frame: Frame,
  options: ChunkOptions,
  job: (chunk: Frame) => Promise<T>,
): Promise<{ start: number; rows: number; result: T }[]> {
  const size = Math.max(1, options.chunkRows ?? POOL_CHUNK_ROWS);
  let done = 0;
  const parts: Promise<{ start: number; rows: number; result: T }>[] = [];
  for (let start = 0; start < frame.rows; start += size) {
    // Each slice is a copy whose buffers move to the worker (transferred, not copied again).
    const chunk = sliceRows(frame, start, start + size);
    parts.push(
      job(chunk).then((result) => {
        done += chunk.rows;
        options.onRows?.(done);
        return { start, rows: chunk.rows, result };
      }),
    );
  }
  return Promise.all(parts);
}

/** `applyPreprocessor` on a pool: the frame cut into chunks, each preprocessed in a worker, joined in order. */
export async function applyPreprocessorOnPool(
  pool: WorkerPool,
  preprocessor: FittedPreprocessor,
  frame: Frame,
  options: ChunkOptions = {},
): Promise<PreprocessedMatrix> {
  const cols = preprocessor.outputFeatures.length;
  const parts = await chunked(frame, options, (chunk) =>
    pool.applyPreprocessor({ preprocessor, frame: chunk }, { transfer: true }),
  );
  const X = new Float64Array(frame.rows * cols);
  for (const p of parts) X.set(p.result.X, p.start * cols);
  return { X, rows: frame.rows, cols, featureNames: preprocessor.outputFeatures };
}

/**
 * P(positive) of raw records with a bundle's model and preprocessor, on a pool (what `OpenBundle.scoreFrame`
 * does in this thread, the same numbers): chunks of rows scored in the workers, joined in order.
 */
export async function scoreFrameOnPool(
  pool: Pick<WorkerPool, 'score'>,
  model: { readonly bytes: Uint8Array; readonly preprocessor: FittedPreprocessor },
  frame: Frame,
  options: ChunkOptions = {},
): Promise<Float64Array> {
  const parts = await chunked(frame, options, (chunk) =>
    pool.score({ model: model.bytes, preprocessor: model.preprocessor, frame: chunk }, { transfer: true }),
  );
  const out = new Float64Array(frame.rows);
  for (const p of parts) out.set(p.result.proba, p.start);
  return out;
}
