import { progressBar } from '../progress';
import { replayFile } from '../replay';
import { watchPredictions } from '../traffic-watch';
import type { TrafficDriver, TrafficReport } from './traffic';

/** How long the job waits for the replayed records' predictions after the last one was sent. */
const WATCH_TIMEOUT_MS = 180_000;

/**
 * The main job's live traffic: `netsentry replay`'s producer sends the CSV to traffic.records, then the
 * predictions and dead letters of exactly those record ids are read back (read_committed) until every
 * one is accounted for.
 */
export function trafficDriver(): TrafficDriver {
  return {
    async replayAndWatch(request): Promise<TrafficReport> {
      const idPrefix = `start-${Date.now()}`;
      const since = Date.now();
      request.say(`live: replaying ${request.csvPath} to traffic.records (${request.format}) …`);
      const sending = progressBar(process.stderr);
      const replay = await replayFile({
        csv: request.csvPath,
        env: request.env,
        schema: request.schema,
        format: request.format,
        rate: request.rate,
        limit: request.limit,
        idPrefix,
        source: 'npm-start',
        signal: request.signal,
        onProgress: (p) =>
          sending.update(
            p.bytesRead,
            p.totalBytes,
            `${p.sent.toLocaleString('en')} sent, ${Math.round(p.ratePerSecond).toLocaleString('en')}/s`,
          ),
      });
      sending.finish(`${replay.sent.toLocaleString('en')} sent`);
      if (replay.skipped.total > 0) {
        request.say(
          `live: ${replay.skipped.total} rows not sent: ${Object.entries(replay.skipped.byReason)
            .map(([r, n]) => `${r} ${n}`)
            .join(', ')}`,
        );
      }
      request.say(`live: waiting for the predictions of ${replay.sent.toLocaleString('en')} records …`);
      const scoring = progressBar(process.stderr);
      const watch = await watchPredictions({
        env: request.env,
        idPrefix,
        expected: replay.sent,
        timeoutMs: WATCH_TIMEOUT_MS,
        since,
        signal: request.signal,
        onProgress: (p) =>
          scoring.update(p.accounted, p.expected, `${p.predicted.toLocaleString('en')} predicted`),
      });
      scoring.finish(`${watch.predicted.toLocaleString('en')} predicted`);
      return {
        replayed: replay.sent,
        predicted: watch.predicted,
        duplicates: watch.duplicates,
        deadLettered: watch.deadLettered,
        deadLetteredByReason: watch.deadLetteredByCode,
        missing: watch.missing,
        modelVersions: watch.modelVersions,
        labels: watch.labels,
        throughputPerSec: watch.throughputPerSecond,
        p50Ms: watch.endToEndMs?.p50 ?? null,
        p99Ms: watch.endToEndMs?.p99 ?? null,
        maxMs: watch.endToEndMs?.max ?? null,
        firstPredictionAtMs: watch.firstPredictionAt,
        replayMs: replay.elapsedMs,
      };
    },
  };
}
