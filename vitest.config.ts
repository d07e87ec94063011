import swc from 'unplugin-swc';
import { defineConfig, type Plugin } from 'vitest/config';

// SWC (not esbuild) compiles the TypeScript under test, because NestJS dependency injection
// relies on the decorator metadata that esbuild does not emit.
const swcPlugin = (): Plugin =>
  swc.vite({
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
    },
  });

const shared = {
  plugins: [swcPlugin()],
  resolve: { conditions: ['development'] },
};

export default defineConfig({
  test: {
    reporters: process.env.CI
      ? ['default', ['json', { outputFile: '.local/test-results.json' }]]
      : ['default'],
    projects: [
      {
        ...shared,
        test: {
          name: 'unit',
          // Some unit tests read whole bundled datasets (126k rows); a 2-core machine needs the headroom.
          testTimeout: 30_000,
          include: ['{contracts,libs,services,cli}/**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**', '**/*.int.test.ts'],
        },
      },
      {
        ...shared,
        test: {
          // Offline validation of docker-compose.yml, deploy/k8s, .github/workflows, the Prometheus rules and
          // the Grafana dashboard with the real tools (no servers); deploy/tools/install caches the tools.
          name: 'deploy',
          include: ['deploy/**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**', '**/*.int.test.ts'],
          globalSetup: ['deploy/test/tools-setup.ts'],
          testTimeout: 30_000,
        },
      },
      {
        ...shared,
        test: {
          name: 'integration',
          include: ['{contracts,libs,services,cli,deploy}/**/*.int.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**'],
          // Starts the real Kafka, FerretDB and S3Proxy from deploy/local/ unless they already answer.
          globalSetup: ['libs/testkit/src/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        ...shared,
        test: {
          // The live-traffic suites again on the kafkajs batch path (the `integration` project runs them on
          // NETSENTRY_KAFKA_CLIENT's default, librdkafka where it is installed): both clients keep their
          // exactly-once guarantees (decision 0096).
          name: 'integration-kafkajs',
          include: ['services/inference/test/{inference,replicas}.int.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**'],
          env: { NETSENTRY_KAFKA_CLIENT: 'kafkajs' },
          globalSetup: ['libs/testkit/src/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        ...shared,
        test: {
          // The system as a user runs it: `npm start` (scripts/start.sh → netsentry start) and the CLI as
          // processes, the seven services as processes under the same supervisor, the real servers.
          name: 'e2e',
          include: ['e2e/**/*.e2e.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**'],
          globalSetup: ['libs/testkit/src/global-setup.ts'],
          testTimeout: 600_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
