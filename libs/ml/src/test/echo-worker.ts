// A worker entry for worker-script.test.ts: answers with values computed through a relative TypeScript
// import and a workspace package, so both resolutions are exercised.
import { fieldNameFor } from '@netsentry/dataset';
import { parentPort } from 'node:worker_threads';
import { seededRandom } from '../random';

parentPort?.once('message', (seed: number) => {
  parentPort?.postMessage({ value: seededRandom(seed).next(), field: fieldNameFor('Flow Bytes/s') });
});
