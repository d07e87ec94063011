export {
  ArtifactStore,
  type ArtifactHead,
  type ArtifactListEntry,
  type ArtifactStoreOptions,
  type PutArtifactInput,
  type PutJsonInput,
} from './artifact-store';
export type { ArtifactBody } from './body';
export * from './errors';
export { sha256Hex } from './hashing';
export { artifactKey, extensionFor } from './keys';
export { formatS3Uri, parseS3Uri, type S3Location } from './uri';
export { createS3Client } from './s3-client';
export type { ArtifactRetryEvent, ArtifactRetryOptions } from './retry';
