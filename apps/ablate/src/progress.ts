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
    // Logs (CI): one line per configuration as it starts, with the count so far and the time.
    const seen = new Set<string>();
    let total = 0;
    let done = 0;
    let started = 0;
    const elapsed = () => formatDuration((performance.now() - started) / 1000);
    return {
      start(n) {
        total = n;
        started = performance.now();
        process.stderr.write(`running ${n} ${unit}\n`);
      },
      advance(increment, label) {
        done += increment;
        if (seen.has(label)) return;
        seen.add(label);
        process.stderr.write(`  ${label} (${done}/${total} ${short}, ${elapsed()})\n`);
      },
      log(line) {
        process.stderr.write(`${line}\n`);
      },
      stop() {
        if (started > 0) process.stderr.write(`done: ${done}/${total} ${short} in ${elapsed()}\n`);
      },
    };
  }
  const bar = new SingleBar(
    {
      format: ` {bar} {percentage}% | {value}/{total} ${short} | {eta_formatted} left | {label}`,
      hideCursor: true,
      stream: process.stderr,
      etaBuffer: 200,
      formatTime: (seconds: number) => formatDuration(seconds),
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

/** A duration as `1h02m03s`, `28m05s` or `42s`, rounded to whole seconds first (never `28m60s`). */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  if (h > 0) return `${h}h${two(m)}m${two(s)}s`;
  if (m > 0) return `${m}m${two(s)}s`;
  return `${s}s`;
}
