import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { fieldNameFor } from '@netsentry/dataset';
import { seededRandom } from './random';
import { workerScript } from './worker-script';

async function ask(seed: number): Promise<unknown> {
  const script = workerScript(join(__dirname, 'test'), 'echo-worker');
  const worker = new Worker(script.filename, script.options);
  try {
    return await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.postMessage(seed);
    });
  } finally {
    await worker.terminate();
  }
}

describe('workerScript', () => {
  it('runs a TypeScript entry under vitest, with relative and workspace imports', async () => {
    expect(workerScript(join(__dirname, 'test'), 'echo-worker').options.eval).toBe(true);
    expect(await ask(7)).toEqual({ value: seededRandom(7).next(), field: fieldNameFor('Flow Bytes/s') });
  });

  it('starts one thrown-away worker after another (a native compiler addon would crash the process)', async () => {
    for (const seed of [1, 2, 3]) expect(await ask(seed)).toMatchObject({ value: seededRandom(seed).next() });
  });
});
