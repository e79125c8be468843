import { SingleBar, Presets } from 'cli-progress';

/** A progress display (in `unit`s: denoiser evaluations, training images): a bar on a terminal, a line per configuration otherwise. */
export interface Progress {
  start(total: number): void;
  advance(done: number, label: string): void;
  log(line: string): void;
  stop(): void;
}

/** Progress on stderr; `enabled = false` prints nothing. */
export function createProgress(
  enabled: boolean,
  unit = 'denoiser evaluations',
  short = 'NFE',
): Progress {
  const tty = process.stderr.isTTY === true;
  if (!enabled) return { start() {}, advance() {}, log() {}, stop() {} };
  if (!tty) {
    let last = '';
    return {
      start(total) {
        process.stderr.write(`running ${total} ${unit}\n`);
      },
      advance(_done, label) {
        if (label !== last) process.stderr.write(`  ${label}\n`);
        last = label;
      },
      log(line) {
        process.stderr.write(`${line}\n`);
      },
      stop() {},
    };
  }
  const bar = new SingleBar(
    {
      format: ` {bar} {percentage}% | {value}/{total} ${short} | {eta_formatted} left | {label}`,
      hideCursor: true,
      stream: process.stderr,
      etaBuffer: 200,
    },
    Presets.shades_classic,
  );
  return {
    start(total) {
      bar.start(total, 0, { label: '' });
    },
    advance(done, label) {
      bar.increment(done, { label });
    },
    log(line) {
      process.stderr.write(`\r\x1b[K${line}\n`);
    },
    stop() {
      bar.stop();
    },
  };
}
