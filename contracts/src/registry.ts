import type { Type } from 'avsc';
import { checkCompatibility } from './compatibility';
import {
  IncompatibleSchemaError,
  InvalidEventError,
  MalformedMessageError,
  SchemaTopicMismatchError,
  UnknownSchemaError,
  UnknownTopicError,
  UnknownVersionError,
} from './errors';
import { fingerprintHex } from './fingerprint';
import type { EventByTopic } from './generated/types';
import {
  type AvroJson,
  type NamedTypes,
  type SchemaInfo,
  type SchemaSource,
  DEFAULT_SCHEMA_DIR,
  parseSchema,
  parseSchemaSet,
  readSchemaDir,
} from './schema-set';
import { readSingleObject, SINGLE_OBJECT_HEADER_BYTES, writeSingleObject } from './single-object';

type Resolver = ReturnType<Type['createResolver']>;

interface TopicSchemas {
  latest: SchemaInfo;
  all: readonly SchemaInfo[];
}

interface WriterSchema {
  info: SchemaInfo;
  /** Reads this writer's bytes as the topic's latest schema; null when this writer is the latest. */
  resolver: Resolver | null;
}

/** Which schema wrote a message. */
export interface MessageSchema {
  topic: string;
  version: number;
  fingerprintHex: string;
}

export interface EncodeOptions {
  /**
   * Write with an older version (e.g. while consumers still run a build that lacks the newest one).
   * Fields the older schema does not have are dropped. Defaults to the latest version.
   */
  version?: number;
}

type EnvelopedEvent = { envelope: { schemaVersion: number } };

/**
 * The in-process schema store: every version of every topic's schema, indexed by CRC-64-AVRO fingerprint.
 * Encodes with the latest version as Avro single-object messages and decodes any known version into the
 * latest shape (older writers resolved with a cached avsc resolver, defaults filled in).
 *
 * Construction fails fast (InvalidSchemaSetError, IncompatibleSchemaError) so a service with broken
 * contracts never starts.
 */
export class ContractRegistry<E extends object = EventByTopic> {
  private static bundledInstance: ContractRegistry | undefined;

  private readonly topics = new Map<string, TopicSchemas>();
  private readonly writers = new Map<bigint, WriterSchema>();
  private readonly common: NamedTypes;

  constructor(source: SchemaSource) {
    const { common, schemas } = parseSchemaSet(source);
    this.common = common;
    for (const info of schemas) {
      const entry = this.topics.get(info.topic);
      this.topics.set(info.topic, { latest: info, all: [...(entry?.all ?? []), info] });
    }
    for (const { latest, all } of this.topics.values()) {
      for (const info of all) {
        this.writers.set(info.fingerprint, {
          info,
          resolver: info === latest ? null : resolverFor(latest, info),
        });
      }
    }
  }

  /** The registry of the schemas shipped in this package, loaded once per process. */
  static bundled(): ContractRegistry {
    const registry = ContractRegistry.bundledInstance ?? ContractRegistry.fromDirectory<EventByTopic>();
    ContractRegistry.bundledInstance = registry;
    return registry;
  }

  static fromDirectory<E extends object = EventByTopic>(
    dir: string = DEFAULT_SCHEMA_DIR,
  ): ContractRegistry<E> {
    return new ContractRegistry<E>(readSchemaDir(dir));
  }

  /** Topic names that have a schema, sorted. */
  topicNames(): string[] {
    return [...this.topics.keys()];
  }

  /** The schema new events on `topic` are written with (and every message is read as). */
  latest(topic: string): SchemaInfo {
    return this.topicSchemas(topic).latest;
  }

  /** Every version of `topic`'s schema, oldest first. */
  versions(topic: string): readonly SchemaInfo[] {
    return this.topicSchemas(topic).all;
  }

  /** All schema versions of all topics. */
  all(): SchemaInfo[] {
    return [...this.topics.values()].flatMap((t) => t.all);
  }

  /** Parses a schema with the shared types of `schemas/common/` in scope (for tooling and tests). */
  parse(schema: AvroJson): Type {
    return parseSchema(schema, this.common);
  }

  /** Serializes an event as a single-object message with the topic's latest schema (or `options.version`). */
  encode<T extends keyof E & string>(topic: T, event: E[T], options: EncodeOptions = {}): Buffer {
    const { all, latest } = this.topicSchemas(topic);
    const writer = options.version === undefined ? latest : all[options.version - 1];
    if (writer === undefined) throw new UnknownVersionError(topic, options.version ?? 0);
    const stamped = stampVersion(event, writer.version);
    const invalid: string[] = [];
    const valid = writer.type.isValid(stamped, {
      errorHook: (path: string[], _value: unknown, type: Type) =>
        invalid.push(`${path.join('.') || '(root)'} (expected ${type.name ?? type.typeName})`),
    });
    if (!valid) throw new InvalidEventError(topic, invalid);
    return writeSingleObject(writer.fingerprint, writer.type.toBuffer(stamped));
  }

  /**
   * Serializes many events of one topic with its latest schema, one single-object message after another in
   * one buffer (`spans`: start and length of each). The same bytes as `encode` for each event, without its
   * per-event validation pass and copies: avsc's writer refuses a wrong value, and the failing event is then
   * validated for the message (InvalidEventError). For hot paths (live predictions).
   */
  encodeAll<T extends keyof E & string>(
    topic: T,
    events: readonly E[T][],
  ): { bytes: Buffer; spans: Int32Array } {
    const writer = this.topicSchemas(topic).latest;
    const spans = new Int32Array(events.length * 2);
    // Never from Buffer's shared pool: the result's ArrayBuffer may be transferred to another thread.
    let buf = Buffer.allocUnsafeSlow(Math.max(1_024, events.length * 256));
    let pos = 0;
    for (let i = 0; i < events.length; i++) {
      const stamped = stampVersion(events[i], writer.version);
      for (;;) {
        if (buf.length - pos >= SINGLE_OBJECT_HEADER_BYTES) {
          let end: number;
          try {
            end = writer.type.encode(stamped, buf, pos + SINGLE_OBJECT_HEADER_BYTES);
          } catch {
            this.encode(topic, events[i]!); // throws InvalidEventError naming the fields
            throw new InvalidEventError(topic, ['(root)']);
          }
          if (end >= 0) {
            buf[pos] = 0xc3;
            buf[pos + 1] = 0x01;
            buf.writeBigUInt64LE(writer.fingerprint, pos + 2);
            spans[i * 2] = pos;
            spans[i * 2 + 1] = end - pos;
            pos = end;
            break;
          }
        }
        const grown = Buffer.allocUnsafeSlow(buf.length * 2 + 1_024);
        buf.copy(grown, 0, 0, pos);
        buf = grown;
      }
    }
    return { bytes: buf.subarray(0, pos), spans };
  }

  /**
   * Deserializes a single-object message from `topic` into the latest schema's shape. Throws BadMarkerError,
   * UnknownSchemaError, SchemaTopicMismatchError or MalformedMessageError — all ContractErrors with a code.
   */
  decode<T extends keyof E & string>(topic: T, bytes: Uint8Array): E[T] {
    const { latest } = this.topicSchemas(topic);
    const { fingerprint, body } = readSingleObject(bytes);
    const writer = this.writers.get(fingerprint);
    if (writer === undefined) throw new UnknownSchemaError(fingerprintHex(fingerprint), topic);
    if (writer.info.topic !== topic) {
      throw new SchemaTopicMismatchError(topic, writer.info.topic, writer.info.fingerprintHex);
    }
    try {
      return latest.type.fromBuffer(body, writer.resolver ?? undefined) as E[T];
    } catch (err) {
      throw new MalformedMessageError((err as Error).message, topic);
    }
  }

  /** Which topic and version wrote a message, without decoding its body. */
  describe(bytes: Uint8Array): MessageSchema {
    const { fingerprint } = readSingleObject(bytes);
    const writer = this.writers.get(fingerprint);
    if (writer === undefined) throw new UnknownSchemaError(fingerprintHex(fingerprint));
    const { topic, version } = writer.info;
    return { topic, version, fingerprintHex: writer.info.fingerprintHex };
  }

  private topicSchemas(topic: string): TopicSchemas {
    const schemas = this.topics.get(topic);
    if (schemas === undefined) throw new UnknownTopicError(topic);
    return schemas;
  }
}

function resolverFor(latest: SchemaInfo, writer: SchemaInfo): Resolver {
  const result = checkCompatibility(latest.type, writer.type);
  if (!result.ok) throw new IncompatibleSchemaError(writer.topic, writer.version, result.reasons);
  return latest.type.createResolver(writer.type);
}

/** The envelope records the version it was written with; copy-on-write so callers' objects are untouched. */
function stampVersion(event: unknown, version: number): unknown {
  if (!hasEnvelope(event) || event.envelope.schemaVersion === version) return event;
  return { ...event, envelope: { ...event.envelope, schemaVersion: version } };
}

function hasEnvelope(event: unknown): event is EnvelopedEvent {
  if (typeof event !== 'object' || event === null || !('envelope' in event)) return false;
  return typeof event.envelope === 'object' && event.envelope !== null;
}
