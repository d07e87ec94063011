/**
 * The worker side of the pool: receives { id, job } (a tagged PoolJob: train or resample), runs it, posts
 * { id, result } with the result's buffers transferred (not copied). Loaded as compiled JS from dist, or as
 * TypeScript under tests (worker-pool.ts).
 */
import { parentPort } from 'node:worker_threads';

import { resultBuffers, runPoolJob, toWireError, type PoolJob } from './jobs';

const port = parentPort;
if (!port) throw new Error('worker-entry must run in a worker thread');

port.on('message', (msg: { id: number; job: PoolJob }) => {
  runPoolJob(msg.job).then(
    (result) => port.postMessage({ id: msg.id, ok: true, result }, resultBuffers(result)),
    (e: unknown) => port.postMessage({ id: msg.id, ok: false, error: toWireError(e) }),
  );
});
