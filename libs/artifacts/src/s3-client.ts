import { S3Client } from '@aws-sdk/client-s3';
import type { S3Settings } from '@netsentry/config';

/** An S3 client from validated settings (endpoint for S3Proxy/MinIO, or AWS with its credential chain). */
export function createS3Client(settings: S3Settings): S3Client {
  // The SDK prints a multi-line notice on stderr, once per process, that its releases after January 2027
  // need Node 22. It is not JSON, so it breaks every service's log stream; the Node versions netsentry
  // supports are stated in package.json `engines` and the README. Set the variable to "false" to see it.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return new S3Client({
    region: settings.region,
    forcePathStyle: settings.forcePathStyle,
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
    // A fresh object: the SDK tags the credentials it is given, and config objects are frozen.
    ...(settings.credentials === undefined
      ? {}
      : {
          credentials: {
            accessKeyId: settings.credentials.accessKeyId,
            secretAccessKey: settings.credentials.secretAccessKey,
          },
        }),
  });
}
