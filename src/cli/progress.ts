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
        format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {rate}/s | eta {eta_formatted}`,
        stream: process.stderr,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    let startedBar = false;
    return {
      update(done, total) {
        const rate = Math.round(done / Math.max((Date.now() - started) / 1000, 0.001));
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
      const rate = Math.round(done / Math.max((now - started) / 1000, 0.001));
      process.stderr.write(
        `${label}: ${done}${total !== undefined ? `/${total}` : ''} ${unit} (${rate}/s)\n`,
      );
    },
    stop() {},
  };
}
