// Progress for long work: a bar on a terminal (cli-progress), a line every few seconds when stderr is a file.
import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, total: number | undefined): void;
  stop(): void;
}

/** A progress display on stderr labelled `label` (e.g. "verify"). */
export function progress(label: string, unit = 'entries'): Progress {
  const started = Date.now();
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {rate} ${unit}/s | eta {eta_formatted}`,
        stream: process.stderr,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    let startedBar = false;
    return {
      update(done, total) {
        const rate = rateOf(done, started);
        if (!startedBar) {
          bar.start(total ?? done, done, { rate });
          startedBar = true;
        }
        if (total !== undefined) bar.setTotal(total);
        else if (done > bar.getTotal()) bar.setTotal(done);
        bar.update(done, { rate });
      },
      stop() {
        if (startedBar) bar.stop();
      },
    };
  }
  let last = 0;
  return {
    update(done, total) {
      const now = Date.now();
      if (now - last < 5000 && done !== total) return;
      last = now;
      process.stderr.write(
        `${label}: ${done}${total !== undefined ? `/${total}` : ''} ${unit} (${rateOf(done, started)} ${unit}/s)\n`,
      );
    },
    stop() {},
  };
}

// Units per second since `started`: whole numbers, or one decimal below 10 (MiB/s of a small export).
function rateOf(done: number, started: number): number {
  const rate = done / Math.max((Date.now() - started) / 1000, 0.001);
  return rate >= 10 ? Math.round(rate) : Math.round(rate * 10) / 10;
}
