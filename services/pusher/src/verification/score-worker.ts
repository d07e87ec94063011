/**
 * The isolated side of verification: a worker thread that loads one bundle, scores the sample records and
 * posts the scores back. Whatever the bundle does here (throws, loops, exhausts the heap) ends this thread
 * only. Loaded as compiled JS from dist, or as TypeScript under tests (see workerScript in @netsentry/ml).
 */
import { frameFromJson, openBundle, parseBundle } from '@netsentry/ml';
import { parentPort } from 'node:worker_threads';
import type { ScoreRequest, ScoreResponse } from './isolated-scoring';

const port = parentPort;
if (!port) throw new Error('score-worker must run in a worker thread');

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

async function score(request: ScoreRequest): Promise<ScoreResponse> {
  let opened;
  try {
    opened = await openBundle(parseBundle(Buffer.from(request.bundle)));
  } catch (e) {
    return { ok: false, stage: 'load', message: message(e) };
  }
  try {
    const scores = opened.scoreFrame(frameFromJson(request.records));
    return { ok: true, scores };
  } catch (e) {
    return { ok: false, stage: 'score', message: message(e) };
  } finally {
    opened.free();
  }
}

port.once('message', (request: ScoreRequest) => {
  void score(request).then((response) =>
    port.postMessage(response, response.ok ? [response.scores.buffer as ArrayBuffer] : []),
  );
});
