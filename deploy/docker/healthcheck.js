'use strict';
// The image's HEALTHCHECK: GET /healthz on the service's port (NETSENTRY_HTTP_PORT, else the service
// catalogue's port for NETSENTRY_SERVICE). Exit 0 when it answers 2xx within 2 s.
const { SERVICE_CATALOGUE } = require('@netsentry/contracts');

const service = process.env.NETSENTRY_SERVICE ?? '';
const port = process.env.NETSENTRY_HTTP_PORT || SERVICE_CATALOGUE[service]?.httpPort;
if (port === undefined) {
  process.stderr.write(`healthcheck: unknown service '${service}' and no NETSENTRY_HTTP_PORT\n`);
  process.exit(1);
}
fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2_000) }).then(
  (res) => process.exit(res.ok ? 0 : 1),
  (err) => {
    process.stderr.write(`healthcheck: ${err.cause?.code ?? err.name}\n`);
    process.exit(1);
  },
);
