import { ContractError, ContractRegistry } from '@netsentry/contracts';
import type { InboundMessage } from '@netsentry/runtime';
import { RecordError } from './record-error';

/** A live record as inference reads it, whatever format the producer wrote. */
export interface LiveRecord {
  readonly recordId: string;
  readonly source: string;
  /** When the traffic was observed (epoch ms), if the producer said. */
  readonly observedAt: number | null;
  /** Feature values by the dataset's own column names (empty in the dense form). */
  readonly features: Readonly<Record<string, unknown>>;
  /**
   * The dense form (`traffic.records` v2, or JSON `{featureSet, values}`): values in the order the feature
   * set id names, checked against the served model's order; null for the map form.
   */
  readonly dense: { readonly featureSet: string; readonly values: readonly unknown[] } | null;
  /** Flat JSON (features at the top level beside shipper metadata) rather than a `features` object. */
  readonly flat: boolean;
  readonly format: 'avro' | 'json';
  /** The producer's envelope, for Avro records: the prediction is caused by it. */
  readonly eventId: string | null;
  readonly correlationId: string | null;
}

const contracts = ContractRegistry.bundled();
const RESERVED = new Set(['recordId', 'source', 'observedAt', 'features']);

/**
 * Decodes one `traffic.records` message, detecting its format per message: an Avro single-object message
 * (marker C3 01, as `netsentry replay` writes) through the contracts — unknown fingerprints, truncated bodies
 * and other topics' schemas fail with their ContractError codes — or a JSON object, as log shippers write by
 * default: `{recordId?, source?, observedAt?, features: {...}}` or the same with the features at the top
 * level. A JSON record without `recordId` takes the message key, else its log position.
 */
export function decodeTrafficRecord(message: Pick<InboundMessage, 'key' | 'value'>): LiveRecord {
  const bytes = message.value;
  if (bytes === null || bytes.length === 0) throw new RecordError('NOT_AVRO_OR_JSON', 'empty message');
  if (bytes[0] === 0xc3 && bytes[1] === 0x01) {
    // The single-object marker: Avro (a truncated header or body, an unknown fingerprint or another topic's
    // schema throws its ContractError).
    const event = contracts.decode('traffic.records', bytes);
    return {
      recordId: event.recordId,
      source: event.source,
      observedAt: event.observedAt,
      features: event.features,
      dense: denseOf(event.featureSet, event.values, Object.keys(event.features).length > 0),
      flat: false,
      format: 'avro',
      eventId: event.envelope.eventId,
      correlationId: event.envelope.correlationId,
    };
  }
  const first = firstNonSpace(bytes);
  if (first !== 0x7b /* { */) {
    throw new RecordError(
      'NOT_AVRO_OR_JSON',
      `neither an Avro single-object message (marker c301) nor a JSON object: starts with 0x${bytes
        .subarray(0, 2)
        .toString('hex')}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new RecordError('MALFORMED_JSON', `not valid JSON: ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new RecordError('MALFORMED_JSON', 'a JSON record must be an object');
  }
  const obj = parsed as Record<string, unknown>;
  const recordId = stringOr(obj.recordId) ?? message.key?.toString('utf8') ?? null;
  if (recordId === null || recordId.length === 0) {
    throw new RecordError(
      'MISSING_RECORD_ID',
      'a JSON record needs a string recordId (or a message key) so its prediction can be joined back',
    );
  }
  let features: Record<string, unknown>;
  let flat: boolean;
  let dense: LiveRecord['dense'] = null;
  if (obj.featureSet !== undefined || obj.values !== undefined) {
    if (!Array.isArray(obj.values)) {
      throw new RecordError('MALFORMED_JSON', '"values" must be an array of feature values');
    }
    if (obj.features !== undefined) {
      throw new RecordError('MALFORMED_JSON', 'a record has "features" or "values", not both');
    }
    dense = denseOf(typeof obj.featureSet === 'string' ? obj.featureSet : null, obj.values, false);
    features = {};
    flat = false;
  } else if (obj.features !== undefined) {
    if (typeof obj.features !== 'object' || obj.features === null || Array.isArray(obj.features)) {
      throw new RecordError('MALFORMED_JSON', '"features" must be an object of column name → value');
    }
    features = obj.features as Record<string, unknown>;
    flat = false;
  } else {
    features = {};
    for (const key of Object.keys(obj)) if (!RESERVED.has(key)) features[key] = obj[key];
    flat = true;
  }
  return {
    recordId,
    source: stringOr(obj.source) ?? 'unknown',
    observedAt: timeOf(obj.observedAt),
    features,
    dense,
    flat,
    format: 'json',
    eventId: null,
    correlationId: null,
  };
}

/** The dense part of a record: none when it has no values and no feature set; both or neither. */
function denseOf(
  featureSet: string | null,
  values: readonly unknown[],
  hasMap: boolean,
): LiveRecord['dense'] {
  if (featureSet === null && values.length === 0) return null;
  if (hasMap) throw new RecordError('MALFORMED_JSON', 'a record has "features" or "values", not both');
  if (featureSet === null) {
    throw new RecordError(
      'UNKNOWN_FEATURE_SET',
      'dense "values" need their "featureSet" (the id of their column order; GET /features)',
    );
  }
  return { featureSet, values };
}

/** The dead-letter code of a decode failure: ours, a ContractError's, or NOT_AVRO_OR_JSON. */
export function decodeErrorCode(error: unknown): string {
  if (error instanceof RecordError || error instanceof ContractError) return error.code;
  return 'NOT_AVRO_OR_JSON';
}

function firstNonSpace(bytes: Buffer): number {
  for (let i = 0; i < bytes.length && i < 64; i++) {
    const b = bytes[i]!;
    if (b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0xef && b !== 0xbb && b !== 0xbf)
      return b;
  }
  return -1;
}

function stringOr(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

function timeOf(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? null : t;
  }
  return null;
}
