import { Presets, SingleBar } from 'cli-progress';

/** What the loop reports after every step (also passed to `onStep`). */
export interface StepInfo {
  /** Steps taken so far (the step just finished is number `step − 1`). */
  readonly step: number;
  /** Images seen so far. */
  readonly imagesSeen: number;
  /** Total image budget of the run. */
  readonly totalImages: number;
  /** Training objective of the step just taken (sum over elements / batch size). */
  readonly loss: number;
  /** Learning rate the step used. */
  readonly lr: number;
  /** Global L2 norm of the gradient (after non-finite replacement, before clipping). */
  readonly gradNorm: number;
  /** Throughput of this session so far, images per second of wall-clock time. */
  readonly imagesPerSecond: number;
}

/** Progress display of a training run. */
export interface Progress {
  update(info: StepInfo): void;
  log(line: string): void;
  stop(): void;
}

/**
 * A progress display on stderr: a `cli-progress` bar with loss and images/s on a
 * terminal, otherwise one line every `logEvery` steps (and at the end); nothing when
 * `enabled` is false.
 */
export function createProgress(
  enabled: boolean,
  logEvery: number,
  stream: NodeJS.WriteStream = process.stderr,
): Progress {
  if (!enabled) return { update() {}, log() {}, stop() {} };
  const format = (info: StepInfo): string =>
    `step ${info.step} | ${formatImages(info.imagesSeen)}/${formatImages(info.totalImages)} img | ` +
    `loss ${info.loss.toPrecision(4)} | lr ${info.lr.toExponential(2)} | ${info.imagesPerSecond.toFixed(1)} img/s`;
  if (stream.isTTY !== true) {
    let last: StepInfo | undefined;
    let printed = -1;
    return {
      update(info) {
        last = info;
        if (info.step % logEvery === 0) {
          stream.write(`${format(info)}\n`);
          printed = info.step;
        }
      },
      log(line) {
        stream.write(`${line}\n`);
      },
      stop() {
        if (last !== undefined && printed !== last.step) stream.write(`${format(last)}\n`);
      },
    };
  }
  let bar: SingleBar | undefined;
  return {
    update(info) {
      const payload = {
        loss: info.loss.toPrecision(4),
        ips: info.imagesPerSecond.toFixed(1),
        lr: info.lr.toExponential(2),
      };
      if (bar === undefined) {
        bar = new SingleBar(
          {
            format:
              ' {bar} {percentage}% | {value}/{total} img | loss {loss} | lr {lr} | {ips} img/s | {eta_formatted} left',
            hideCursor: true,
            stream,
            etaBuffer: 50,
          },
          Presets.shades_classic,
        );
        bar.start(info.totalImages, info.imagesSeen, payload);
      } else {
        bar.update(info.imagesSeen, payload);
      }
    },
    log(line) {
      stream.write(`\r\x1b[K${line}\n`);
    },
    stop() {
      bar?.stop();
    },
  };
}

function formatImages(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}
