import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * Vitest global setup of the deploy project: installs (first run: a minute or two) or finds (cached: well
 * under a second) kubectl/kustomize, k8s-strict, actionlint, promtool and docker-compose.
 */
export default function setup(): void {
  const script = resolve(__dirname, '../tools/install');
  const result = spawnSync(script, [], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.error) throw new Error(`could not run deploy/tools/install: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`deploy/tools/install failed (exit ${result.status})`);
}
