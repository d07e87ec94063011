import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './local-infra';

/** One answer of a polled endpoint: how long it took and its HTTP status (0: no answer). */
export interface PollAnswer {
  readonly ms: number;
  readonly status: number;
}

/**
 * GETs `url` every `everyMs` (after each answer) until `work` settles: every answer's time and status,
 * e.g. to show that a stage's /readyz keeps answering while it works.
 */
export async function pollDuring<T>(
  url: string,
  work: Promise<T>,
  everyMs = 200,
): Promise<{ out: T; answers: PollAnswer[] }> {
  const answers: PollAnswer[] = [];
  let running = true;
  const polling = (async () => {
    while (running) {
      const t = performance.now();
      const status = await fetch(url, { signal: AbortSignal.timeout(10_000) })
        .then(async (res) => (await res.text(), res.status))
        .catch(() => 0);
      answers.push({ ms: performance.now() - t, status });
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  try {
    return { out: await work, answers };
  } finally {
    running = false;
    await polling;
  }
}

/**
 * A service's readinessProbe timeout in the Kubernetes manifests (deploy/k8s/base/services/<service>.yaml),
 * in ms: what a /readyz answer must stay within while the service works.
 */
export function readinessProbeTimeoutMs(service: string): number {
  const manifest = readFileSync(join(repoRoot, 'deploy/k8s/base/services', `${service}.yaml`), 'utf8');
  const probe = /readinessProbe:[\s\S]*?timeoutSeconds: (\d+)/.exec(manifest);
  if (probe === null) throw new Error(`no readinessProbe timeoutSeconds in the ${service} manifest`);
  return Number(probe[1]) * 1000;
}
