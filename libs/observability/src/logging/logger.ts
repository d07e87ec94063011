import { hostname } from 'node:os';
import pino, { type DestinationStream, type Logger } from 'pino';
import { REDACTED } from '../constants';
import { logContext } from './context';
import { duplicateKeys } from './json-keys';
import { createScrubber, REDACT_PATHS } from './redaction';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggerOptions {
  readonly service: string;
  readonly version: string;
  readonly level?: LogLevel;
  /** Secret values (`secretValues(config)`) to replace with `[REDACTED]` wherever they appear. */
  readonly redact?: readonly string[];
  /** Extra key paths to censor, on top of `REDACT_PATHS`. */
  readonly redactPaths?: readonly string[];
  /** Where lines go; stdout (synchronously) when omitted. */
  readonly destination?: DestinationStream;
}

/**
 * A pino JSON logger: `{level:"info",time:"<ISO>",service,version,hostname,pid,…,msg}`. Every line carries
 * the `logContext` ids, known credential keys are censored, and — as the last step, on the serialized line
 * — secret values and URL passwords are scrubbed, so they cannot leak through a message, an error stack,
 * a child logger's bindings or a nested field that no key path anticipated. No key appears twice in a
 * line: a child binding or a call field that repeats a key replaces the earlier value (pino alone would
 * write both, and a JSON reader would see either).
 */
export function createLogger(options: LoggerOptions): Logger {
  const scrub = createScrubber(options.redact);
  const destination = options.destination ?? pino.destination({ dest: 1, sync: true });
  // pino writes a line synchronously right after calling the mixin, so the mixin can tell the destination
  // that the line it is about to receive repeats a key (see dedupeKeys).
  const line = { repeatsKey: false };
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: options.service, version: options.version, hostname: hostname(), pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: [...REDACT_PATHS, ...(options.redactPaths ?? [])], censor: REDACTED },
      mixin: (merge, _level, logger) => {
        const bound = boundKeys(logger);
        if (bound.repeated || Object.keys(merge).some((k) => bound.keys.has(k))) line.repeatsKey = true;
        return contextFields(bound.keys);
      },
    },
    scrubbing(destination, scrub, line),
  );
}

// The async context, minus ids the (child) logger is already bound to, so no key appears twice in a line.
function contextFields(bound: ReadonlySet<string>): Record<string, string | number> {
  const ctx = logContext.get();
  if (!ctx) return {};
  const fields: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(ctx)) if (!bound.has(key)) fields[key] = value;
  return fields;
}

interface BoundKeys {
  /** Every key a line of this logger starts with: base fields and each child's bindings. */
  readonly keys: ReadonlySet<string>;
  /** Whether a child binding repeats a key of its parent (`child({ stage })` under `child({ stage })`). */
  readonly repeated: boolean;
}

const boundKeysCache = new WeakMap<Logger, BoundKeys>();

/** The keys in a logger's serialized bindings (pino's chindings string), computed once per logger. */
function boundKeys(logger: Logger): BoundKeys {
  const cached = boundKeysCache.get(logger);
  if (cached) return cached;
  const chindings = (logger as unknown as Record<symbol, unknown>)[pino.symbols.chindingsSym];
  const json = `{${typeof chindings === 'string' ? chindings.slice(1) : ''}}`;
  const keys = new Set(Object.keys(JSON.parse(json) as object));
  const found = { keys, repeated: duplicateKeys(json).length > 0 };
  boundKeysCache.set(logger, found);
  return found;
}

/**
 * The line with each key once, at its first place, holding its last value: a child's binding replaces
 * its parent's and a call's field replaces a binding — what the code meant, where pino appends both.
 */
function dedupeKeys(line: string): string {
  return `${JSON.stringify(JSON.parse(line))}\n`;
}

function scrubbing(
  destination: DestinationStream,
  scrub: (line: string) => string,
  next: { repeatsKey: boolean },
): DestinationStream {
  return {
    write: (line: string): void => {
      const once = next.repeatsKey ? dedupeKeys(line) : line;
      next.repeatsKey = false;
      destination.write(scrub(once));
    },
  };
}
