import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LoadedModel } from '../model/model-holder';
import { newWorkerWithFlags, nodeFlagsForWorker, ThreadChunkScorer } from './chunk-scorer';
import { packChunk } from './score-chunk';
import type { ScoringWorkerData } from './scoring-worker';

// The scoring thread's supervision, with a stand-in worker: a thread that dies is restarted with the models
// it held and the chunk it was scoring fails (the runtime retries it); one that dies at start is not
// restarted and every request fails with the reason.

const fake = join(__dirname, '../../test/support/fake-scoring-worker.cjs');
const data = {
  config: {},
  producer: { service: 'inference', version: 'test' },
} as unknown as ScoringWorkerData;
const model = { version: 'v1' } as LoadedModel;
const source = { bundle: new Uint8Array([1, 2, 3]), schemaText: 'name: toy' };

function chunk(count: number, partition = 0) {
  const messages = Array.from({ length: count }, (_, i) => ({
    topic: 'traffic.records' as const,
    kafkaTopic: 't',
    partition: 0,
    offset: String(i),
    key: null,
    value: Buffer.from(`{"recordId":"r${i}"}`),
    timestamp: null,
  }));
  return packChunk('v1', 't', partition, Date.now(), messages);
}

describe('ThreadChunkScorer', () => {
  it('restarts a thread that died, with its models; the chunk it was scoring fails, the next is scored', async () => {
    const crashes: Error[] = [];
    const scorer = new ThreadChunkScorer(data, { onCrash: (e) => crashes.push(e) }, fake);
    try {
      await scorer.load(model, source);
      expect(await scorer.score(chunk(2), model)).toMatchObject({ count: 2, models: ['v1'] });
      await new Promise((r) => setTimeout(r, 5_200)); // past the start-up window
      await expect(scorer.score(chunk(13), model)).rejects.toThrow(/died while scoring this chunk/);
      expect(crashes).toHaveLength(1);
      // The new thread got the model again before this chunk.
      expect(await scorer.score(chunk(3), model)).toMatchObject({ count: 3, models: ['v1'] });
    } finally {
      await scorer.close(100);
    }
  }, 20_000);

  it("sends a round's chunks, asked for together, as one request, and answers each chunk with its own result", async () => {
    const scorer = new ThreadChunkScorer(data, { onCrash: () => undefined }, fake);
    try {
      await scorer.load(model, source);
      const round = await Promise.all([0, 1, 2].map((p) => scorer.score(chunk(p + 1, p), model)));
      expect(round).toMatchObject([
        { count: 1, partition: 0, request: 1 },
        { count: 2, partition: 1, request: 1 },
        { count: 3, partition: 2, request: 1 },
      ]);
      // The next round is a request of its own.
      expect(await scorer.score(chunk(4, 3), model)).toMatchObject({ count: 4, request: 2 });
    } finally {
      await scorer.close(100);
    }
  });

  it('keeps a model loaded again (a rollback) when the earlier instance of its version is released', async () => {
    const scorer = new ThreadChunkScorer(data, { onCrash: () => undefined }, fake);
    try {
      const first = { version: 'v1' } as LoadedModel;
      const second = { version: 'v2' } as LoadedModel;
      const again = { version: 'v1' } as LoadedModel;
      await scorer.load(first, source);
      await scorer.load(second, source);
      await scorer.load(again, source); // rolled back to v1 within the first instance's grace period
      scorer.release(first);
      expect(await scorer.score(chunk(1), again)).toMatchObject({ models: ['v2', 'v1'] });
      await expect(scorer.score(chunk(1), first)).rejects.toThrow(/not loaded into the scoring thread/);
    } finally {
      await scorer.close(100);
    }
  });

  it('does not restart a thread that dies as it starts: every request fails with the reason', async () => {
    const crashes: Error[] = [];
    const scorer = new ThreadChunkScorer(
      { ...data, dieAtStart: true } as ScoringWorkerData,
      { onCrash: (e) => crashes.push(e) },
      fake,
    );
    try {
      await expect(scorer.load(model, source)).rejects.toThrow(
        /cannot start: scoring thread exited with code 3/,
      );
      await expect(scorer.score(chunk(1), model)).rejects.toThrow(/cannot start|not loaded/);
      expect(crashes).toHaveLength(1);
    } finally {
      await scorer.close(100);
    }
  });

  it("starts the thread without the test runner's --conditions (the worker runs the compiled packages)", () => {
    expect(
      nodeFlagsForWorker(['--conditions', 'development', '--max-old-space-size=4096', '-C', 'x']),
    ).toEqual(['--max-old-space-size=4096']);
    expect(nodeFlagsForWorker(['--conditions=development', '--enable-source-maps'])).toEqual([
      '--enable-source-maps',
    ]);
  });

  it('starts the thread when the service runs with flags a worker refuses (node --trace-gc main.js)', async () => {
    // Worker refuses V8 and per-process flags (ERR_WORKER_INVALID_EXEC_ARGV): the service failed to start.
    const flags = ['--trace-gc', '--enable-source-maps', '--max-old-space-size=512'];
    const worker = newWorkerWithFlags(fake, {}, flags);
    try {
      const reply = await new Promise<unknown>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
        worker.postMessage({ id: 1, type: 'load', key: 'v1#1', version: 'v1' });
      });
      expect(reply).toEqual({ id: 1, ok: true, value: null });
    } finally {
      await worker.terminate();
    }
  });
});
