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
