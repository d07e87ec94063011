import { CodedError, type CodedErrorJson, type ErrorDetails } from './coded-error';

/** Stable, machine-readable causes; consumers switch on these and dead-letter records carry them. */
export type ContractErrorCode =
  | 'BAD_MARKER'
  | 'MALFORMED_MESSAGE'
  | 'UNKNOWN_SCHEMA'
  | 'SCHEMA_TOPIC_MISMATCH'
  | 'UNKNOWN_TOPIC'
  | 'UNKNOWN_VERSION'
  | 'INVALID_EVENT'
  | 'MISSING_KEY'
  | 'INCOMPATIBLE_SCHEMA'
  | 'INVALID_SCHEMA_SET';

/** What `toJSON()` exposes: the code, the message and scalar details — never payload bytes or values. */
export type ContractErrorJson = CodedErrorJson<ContractErrorCode>;

/**
 * Base of every error this package throws. Errors are values with a stable `code`; `toJSON()` is safe to
 * log or put in a dead-letter record because details never include event contents. Never retryable: the
 * same bytes fail the same way.
 */
export abstract class ContractError extends CodedError<ContractErrorCode> {
  override readonly retryable = false;

  protected constructor(message: string, details: ErrorDetails = {}) {
    super(message, details);
  }
}

/** The bytes do not start with the Avro single-object marker 0xC3 0x01. */
export class BadMarkerError extends ContractError {
  readonly code = 'BAD_MARKER';

  constructor(readonly found: string) {
    super(`not an Avro single-object message: expected marker c301, found '${found}'`, { found });
  }
}

/** The header is fine but the message is truncated or its body does not decode under its own schema. */
export class MalformedMessageError extends ContractError {
  readonly code = 'MALFORMED_MESSAGE';

  constructor(reason: string, topic?: string) {
    super(`malformed message${topic === undefined ? '' : ` on ${topic}`}: ${reason}`, {
      reason,
      ...(topic === undefined ? {} : { topic }),
    });
  }
}

/** The writer-schema fingerprint is not one this build knows (a newer producer, or a foreign message). */
export class UnknownSchemaError extends ContractError {
  readonly code = 'UNKNOWN_SCHEMA';

  constructor(
    readonly fingerprint: string,
    readonly topic?: string,
  ) {
    super(
      `unknown writer schema fingerprint ${fingerprint}${topic === undefined ? '' : ` on ${topic}`}` +
        ' (is the producer newer than this consumer?)',
      { fingerprint, ...(topic === undefined ? {} : { topic }) },
    );
  }
}

/** The message was written with a known schema that belongs to a different topic. */
export class SchemaTopicMismatchError extends ContractError {
  readonly code = 'SCHEMA_TOPIC_MISMATCH';

  constructor(
    readonly topic: string,
    readonly writerTopic: string,
    readonly fingerprint: string,
  ) {
    super(`message on ${topic} was written with a ${writerTopic} schema (${fingerprint})`, {
      topic,
      writerTopic,
      fingerprint,
    });
  }
}

export class UnknownTopicError extends ContractError {
  readonly code = 'UNKNOWN_TOPIC';

  constructor(readonly topic: string) {
    super(`unknown topic '${topic}'`, { topic });
  }
}

/** A producer asked to write with a schema version the topic does not have. */
export class UnknownVersionError extends ContractError {
  readonly code = 'UNKNOWN_VERSION';

  constructor(
    readonly topic: string,
    readonly version: number,
  ) {
    super(`${topic} has no schema v${version}`, { topic, version });
  }
}

/** An event does not conform to its topic's schema; `paths` name the offending fields, not their values. */
export class InvalidEventError extends ContractError {
  readonly code = 'INVALID_EVENT';

  constructor(
    readonly topic: string,
    readonly paths: readonly string[],
  ) {
    super(`invalid ${topic} event at ${paths.join(', ')}`, { topic, paths });
  }
}

/** The catalogue says the topic is keyed by a field that is null or missing in this event. */
export class MissingKeyError extends ContractError {
  readonly code = 'MISSING_KEY';

  constructor(
    readonly topic: string,
    readonly keyPath: string,
  ) {
    super(`${topic} events are keyed by ${keyPath}, which is missing`, { topic, keyPath });
  }
}

/** The latest version of a topic's schema cannot read one of its past versions. */
export class IncompatibleSchemaError extends ContractError {
  readonly code = 'INCOMPATIBLE_SCHEMA';

  constructor(
    readonly topic: string,
    readonly writerVersion: number,
    readonly reasons: readonly string[],
  ) {
    super(`${topic}: latest schema cannot read v${writerVersion}: ${reasons.join('; ')}`, {
      topic,
      writerVersion,
      reasons,
    });
  }
}

/** The schema directory is inconsistent (bad file name, unparsable schema, duplicate fingerprint...). */
export class InvalidSchemaSetError extends ContractError {
  readonly code = 'INVALID_SCHEMA_SET';

  constructor(reason: string) {
    super(`invalid schema set: ${reason}`, { reason });
  }
}
