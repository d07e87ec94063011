import { afterAll, describe, expect, it } from 'vitest';
import { toySchema, toyTask } from './bundle/toy-task';
import { EngineError } from './engines/engine';
import { xgboostEngine } from './engines/xgboost-model';
import { WorkerPool } from './engines/worker-pool';
import { applyPreprocessorOnPool, scoreFrameOnPool, sliceRows } from './on-pool';
import { applyPreprocessor, asTrainSplit, fitPreprocessor } from './preprocessing/preprocessor';

const schema = toySchema();
const { features: frame, labels } = toyTask(2_500, 11);
const preprocessor = fitPreprocessor(asTrainSplit({ features: frame, labels }), schema, {
  imputation: 'knn',
  seed: 1,
});

describe('preprocessing and scoring on a worker pool', () => {
  const pool = new WorkerPool({ size: 2 });
  afterAll(() => pool.close());

  it('sliceRows copies the rows it is asked for, clipped to the frame', () => {
    const part = sliceRows(frame, 2_490, 3_000);
    expect(part.rows).toBe(10);
    const a = part.columns[0]!;
    expect(a.kind === 'numeric' && a.values.buffer).not.toBe(
      frame.columns[0]!.kind === 'numeric' && frame.columns[0]!.values.buffer,
    );
  });

  it('encodes in chunks across the workers exactly as applyPreprocessor does, reporting rows', async () => {
    const seen: number[] = [];
    const pooled = await applyPreprocessorOnPool(pool, preprocessor, frame, {
      chunkRows: 700,
      onRows: (d) => seen.push(d),
    });
    const local = applyPreprocessor(preprocessor, frame);
    expect(pooled.cols).toBe(local.cols);
    expect(Array.from(pooled.X)).toEqual(Array.from(local.X));
    expect(seen).toHaveLength(4);
    expect(seen.at(-1)).toBe(2_500);
    // The caller's frame is untouched (chunks are copies moved to the workers).
    expect(frame.columns[0]!.values.length).toBe(2_500);
  });

  it('scores raw records as the model does in this thread; a model of other columns is refused', async () => {
    const m = applyPreprocessor(preprocessor, frame);
    const model = (await xgboostEngine()).train(m.X, labels, m.rows, m.cols, { rounds: 20 });
    const bytes = model.toBytes();
    try {
      const pooled = await scoreFrameOnPool(pool, { bytes, preprocessor }, frame, { chunkRows: 1_000 });
      expect(Array.from(pooled)).toEqual(Array.from(model.predictProba(m.X, m.rows, m.cols)));
      const narrower = { ...preprocessor, outputFeatures: preprocessor.outputFeatures.slice(1) };
      await expect(pool.score({ model: bytes, preprocessor: narrower, frame: null })).rejects.toThrow(
        EngineError,
      );
    } finally {
      model.free();
    }
  });
});
