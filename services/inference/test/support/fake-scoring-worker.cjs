'use strict';
// A stand-in for the scoring thread, speaking its protocol (scoring-worker.ts): `load` and `release` are
// acknowledged, `score` echoes each chunk's count and partition, the request's number and the versions it holds, a chunk of 13 records kills the
// thread, and workerData.dieAtStart kills it before it answers anything.
const { parentPort, workerData } = require('node:worker_threads');
if (workerData.dieAtStart) process.exit(3);
const models = new Map(); // load key → model version
let requests = 0; // score requests so far
parentPort.on('message', (request) => {
  if (request.type === 'load') models.set(request.key, request.version);
  if (request.type === 'release') models.delete(request.key);
  if (request.type === 'score' && request.inputs.some((i) => i.count === 13)) process.exit(1);
  if (request.type === 'score') requests++;
  const value =
    request.type === 'score'
      ? request.inputs.map((input) => ({
          count: input.count,
          partition: input.partition,
          request: requests,
          models: [...models.values()],
          drift: { report: null, alert: null, outputs: [] },
        }))
      : null;
  parentPort.postMessage({ id: request.id, ok: true, value });
});
