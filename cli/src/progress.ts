/**
 * A progress line on stderr: a redrawn bar on a terminal, a line every 10% otherwise (CI logs, pipes).
 */
export interface Progress {
  update(done: number, total: number, detail: string): void;
  /**
   * Ends the display. With `detail` (the work completed: the true row count), a last `100% detail` line
   * is drawn. Updates stop at 99%: their measure (bytes read) runs ahead of the work (rows parsed and
   * stored), so only the end of the work is 100%, with its true figures.
   */
  finish(detail?: string): void;
}

export function progressBar(stream: NodeJS.WriteStream = process.stderr, width = 30): Progress {
  let lastDecile = -1;
  let drawn = false;
  return {
    update(done, total, detail) {
      // 100% is for finish() alone: the measure (bytes read) runs ahead of the work (rows stored).
      const ratio = total > 0 ? Math.min(0.99, done / total) : 0;
      if (stream.isTTY) {
        const filled = Math.round(ratio * width);
        stream.write(
          `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(ratio * 100).toFixed(0)}% ${detail}`,
        );
        drawn = true;
        return;
      }
      const decile = Math.floor(ratio * 10);
      if (decile > lastDecile) {
        lastDecile = decile;
        stream.write(`${decile * 10}% ${detail}\n`);
      }
    },
    finish(detail) {
      if (detail !== undefined) {
        if (stream.isTTY) {
          stream.write(`\r[${'#'.repeat(width)}] 100% ${detail}\x1b[K`);
          drawn = true;
        } else {
          stream.write(`100% ${detail}\n`);
        }
      }
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}
