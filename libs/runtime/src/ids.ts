import { hash } from 'node:crypto';

/** Namespace of every id the runtime derives (a fixed random UUID; changing it changes every derived id). */
export const NETSENTRY_ID_NAMESPACE = '6f1d0c5e-3b7a-4e2f-9c84-5a0d2b7e91c3';

function namespaceBytes(namespace: string): Buffer {
  const ns = Buffer.from(namespace.replaceAll('-', ''), 'hex');
  if (ns.length !== 16) throw new Error(`namespace '${namespace}' is not a UUID`);
  return ns;
}

/** Parsed once: live inference derives one id per prediction. */
const DEFAULT_NAMESPACE = namespaceBytes(NETSENTRY_ID_NAMESPACE);

/** Namespace + name, written here for one-shot hashing (ids are derived synchronously, one at a time). */
const scratch = Buffer.allocUnsafe(4_096);
/** The variant nibble (10xx) for each value of the hash's nibble: (n & 3) | 8. */
const VARIANT = '89ab89ab89ab89ab';

/** RFC 9562 UUID version 5: SHA-1 of namespace + name, so the same name always gives the same id. */
export function uuidV5(name: string, namespace: string = NETSENTRY_ID_NAMESPACE): string {
  const ns = namespace === NETSENTRY_ID_NAMESPACE ? DEFAULT_NAMESPACE : namespaceBytes(namespace);
  let data: Buffer;
  if (name.length * 3 <= scratch.length - 16) {
    ns.copy(scratch, 0);
    data = scratch.subarray(0, 16 + scratch.write(name, 16, 'utf8'));
  } else data = Buffer.concat([ns, Buffer.from(name, 'utf8')]);
  // One-shot SHA-1 as hex (live inference derives one id per prediction: 2.5× createHash's cost here).
  const hex = hash('sha1', data, 'hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${VARIANT[parseInt(hex[16]!, 16)]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The id of a stage's `index`-th output for one input event. Deterministic so that a re-run after a crash
 * (outputs published, ledger not yet updated) emits the same ids and downstream deduplication absorbs them.
 */
export function outputEventId(stage: string, inputEventId: string, index: number): string {
  return uuidV5(`${stage}/${inputEventId}/out/${index}`);
}

/** The id of the dead letter a stage writes for one input message (by event id, or by log position if undecodable). */
export function deadLetterEventId(stage: string, source: string): string {
  return uuidV5(`${stage}/${source}/dead-letter`);
}
