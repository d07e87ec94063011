import { workerScript, type FrameJson } from '@netsentry/ml';
import { Worker } from 'node:worker_threads';

/** What the pusher sends the worker: the bundle's bytes and the raw records to score. */
export interface ScoreRequest {
  readonly bundle: Uint8Array;
  readonly records: FrameJson;
}

/** What the worker answers: the scores, or where it failed (loading the bundle, or scoring). */
export type ScoreResponse =
  | { readonly ok: true; readonly scores: Float64Array }
  | { readonly ok: false; readonly stage: 'load' | 'score'; readonly message: string };

export type IsolatedScoring =
  | { readonly ok: true; readonly scores: Float64Array; readonly ms: number }
  | {
      readonly ok: false;
      /** load/score: the bundle threw; crash: the thread died (e.g. out of heap); timeout: it never answered. */
      readonly failure: 'load' | 'score' | 'crash' | 'timeout';
      readonly message: string;
      readonly ms: number;
    };

export interface IsolationLimits {
  readonly timeoutMs: number;
  /** Old-generation heap of the worker, in MiB. */
  readonly maxHeapMb: number;
}

/**
 * Loads a bundle and scores records in a fresh worker thread that is thrown away afterwards, so a bundle
 * that throws, never returns or exhausts its heap fails this verification and nothing else. (A worker is
 * a thread, not a process: it contains JavaScript and WebAssembly faults, not a crash of Node itself.)
 */
export function scoreInIsolation(
  bundle: Uint8Array,
  records: FrameJson,
  limits: IsolationLimits,
): Promise<IsolatedScoring> {
  const started = performance.now();
  const ms = (): number => Math.round(performance.now() - started);
  const script = workerScript(__dirname, 'score-worker');
  const worker = new Worker(script.filename, {
    ...script.options,
    resourceLimits: { maxOldGenerationSizeMb: limits.maxHeapMb },
  });
  return new Promise<IsolatedScoring>((resolve) => {
    let settled = false;
    const settle = (result: IsolatedScoring): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // The worker holds the model's memory (JS heap and WebAssembly): end it whatever happened.
      worker.terminate().then(
        () => resolve(result),
        () => resolve(result),
      );
    };
    const timer = setTimeout(
      () =>
        settle({
          ok: false,
          failure: 'timeout',
          message: `no answer within ${limits.timeoutMs} ms; the worker was stopped`,
          ms: ms(),
        }),
      limits.timeoutMs,
    );
    worker.once('message', (response: ScoreResponse) =>
      settle(
        response.ok
          ? { ok: true, scores: response.scores, ms: ms() }
          : { ok: false, failure: response.stage, message: response.message, ms: ms() },
      ),
    );
    worker.once('error', (e) => settle({ ok: false, failure: 'crash', message: e.message, ms: ms() }));
    worker.once('exit', (code) =>
      settle({ ok: false, failure: 'crash', message: `the worker exited with code ${code}`, ms: ms() }),
    );
    // A copy, not a transfer: the caller's buffer may be a view into a larger pooled one.
    const request: ScoreRequest = { bundle, records };
    worker.postMessage(request);
  });
}
