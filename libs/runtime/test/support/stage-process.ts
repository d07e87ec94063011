import { localInfra, repoRoot } from '@netsentry/testkit';
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * The fixture stage (`test/fixtures/stage-main.ts`) as its own process against the local servers, with its
 * stdout and stderr collected. `env` adds to (or overrides) the servers' settings, e.g. FIXTURE_* variables.
 */
export function spawnFixtureStage(options: {
  prefix: string;
  database: string;
  env?: Record<string, string>;
}): { child: ChildProcess; exited: Promise<number | null>; stdout: () => string; stderr: () => string } {
  const infra = localInfra();
  let out = '';
  let err = '';
  const fixtures = resolve(__dirname, '../fixtures');
  const child = spawn(
    process.execPath,
    [
      resolve(repoRoot, 'node_modules/vite-node/vite-node.mjs'),
      '--config',
      resolve(fixtures, 'vite.config.ts'),
      resolve(fixtures, 'stage-main.ts'),
    ],
    {
      cwd: repoRoot,
      env: {
        ...process.env,
        NETSENTRY_KAFKA_BROKERS: infra.kafkaBrokers.join(','),
        NETSENTRY_TOPIC_PREFIX: options.prefix,
        NETSENTRY_MONGO_URI: infra.mongoUri,
        NETSENTRY_MONGO_DATABASE: options.database,
        NETSENTRY_HTTP_PORT: '0',
        NETSENTRY_HTTP_HOST: '127.0.0.1',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return { child, exited, stdout: () => out, stderr: () => err };
}
