import { defineConfig, duration, float, int, str } from '@netsentry/config';
import type { VerifierSettings } from './verification/bundle-verifier';

/** Injection token of the pusher's settings (`@Inject(PUSHER_SETTINGS) settings: PusherSettings`). */
export const PUSHER_SETTINGS = Symbol('PUSHER_SETTINGS');

export interface PusherSettings {
  /** S3 key prefix of the immutable production copies. */
  readonly productionPrefix: string;
  readonly verifier: VerifierSettings;
}

/** Pusher's settings (`NETSENTRY_PUSHER_*`), validated at start-up. */
export const pusherSection = defineConfig(
  {
    NETSENTRY_PUSHER_PRODUCTION_PREFIX: str({
      default: 'production',
      pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/,
      description:
        'S3 key prefix of the immutable production copies: <prefix>/<modelVersion>/bundle.json in the bucket',
    }),
    NETSENTRY_PUSHER_SCORE_TOLERANCE: float({
      default: 1e-9,
      min: 0,
      max: 1,
      description:
        "largest absolute difference allowed between the pusher's and the evaluator's sample scores",
    }),
    NETSENTRY_PUSHER_VERIFY_TIMEOUT: duration({
      default: 60_000,
      description: 'how long the isolated worker may take to load the bundle and score the samples',
    }),
    NETSENTRY_PUSHER_VERIFY_MAX_HEAP_MB: int({
      default: 1024,
      min: 64,
      max: 65_536,
      description: "heap limit of the isolated worker (a bundle that exhausts it fails, the pusher doesn't)",
    }),
  },
  (s): PusherSettings => ({
    productionPrefix: s.NETSENTRY_PUSHER_PRODUCTION_PREFIX,
    verifier: {
      tolerance: s.NETSENTRY_PUSHER_SCORE_TOLERANCE,
      timeoutMs: s.NETSENTRY_PUSHER_VERIFY_TIMEOUT,
      maxHeapMb: s.NETSENTRY_PUSHER_VERIFY_MAX_HEAP_MB,
    },
  }),
);
