import { Worker } from 'node:worker_threads';
import type { GradientJob, GradientReply, WorkerInit } from './gradient-protocol.js';

/** The worker script: next to this module once built (tests that load the sources use dist/). */
function workerUrl(): URL {
  const here = import.meta.url;
  return here.endsWith('.ts')
    ? new URL('../dist/gradient-worker.js', here)
    : new URL('./gradient-worker.js', here);
}

/**
 * This process's Node flags without an `@edmkit/source` export condition: the workers load
 * the built packages, also when this thread runs on the TypeScript sources (the tests).
 */
function builtExecArgv(): string[] {
  const out: string[] = [];
  const args = process.execArgv;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.includes('@edmkit/source')) continue;
    if ((a === '--conditions' || a === '-C') && args[i + 1]?.includes('@edmkit/source')) {
      i++;
      continue;
    }
    out.push(a);
  }
  return out;
}

/**
 * Data-parallel gradients on worker threads: each worker holds a copy of the network,
 * computes the loss and gradient of its slice of the batch, and the pool adds the slices
 * up (each slice's loss is already divided by the whole batch size). Threads end with the
 * process; {@link GradientPool.close} ends them earlier, and a failing worker fails the
 * step and the pool.
 */
export class GradientPool {
  private readonly workers: Worker[];
  private failure: Error | undefined;

  private constructor(workers: Worker[]) {
    this.workers = workers;
  }

  /** Starts `count` workers and waits until each has built its network. */
  static async start(count: number, init: WorkerInit): Promise<GradientPool> {
    const workers: Worker[] = [];
    try {
      const execArgv = builtExecArgv();
      for (let k = 0; k < count; k++)
        workers.push(new Worker(workerUrl(), { workerData: init, execArgv }));
      await Promise.all(workers.map((w) => once(w)));
    } catch (error) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw error;
    }
    return new GradientPool(workers);
  }

  /** Number of workers. */
  get size(): number {
    return this.workers.length;
  }

  /** Runs one job per worker (at most `size`) and adds up their losses and gradients. */
  async run(jobs: readonly GradientJob[]): Promise<{ loss: number; grads: Float32Array[] }> {
    if (this.failure) throw this.failure;
    const replies = await Promise.all(
      jobs.map((job, k) => {
        const worker = this.workers[k]!;
        const reply = once(worker);
        worker.postMessage(job);
        return reply as Promise<Extract<GradientReply, { grads: Float32Array[] }>>;
      }),
    ).catch((error: unknown) => {
      this.failure = error instanceof Error ? error : new Error(String(error));
      throw this.failure;
    });
    let loss = 0;
    const grads = replies[0]!.grads;
    for (let k = 0; k < replies.length; k++) {
      loss += replies[k]!.loss;
      if (k === 0) continue;
      replies[k]!.grads.forEach((g, i) => {
        const sum = grads[i]!;
        for (let j = 0; j < g.length; j++) sum[j]! += g[j]!;
      });
    }
    return { loss, grads };
  }

  /** Ends every worker. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** The next message of a worker, or its error / unexpected exit. */
function once(worker: Worker): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const onMessage = (message: { error?: string }) => {
      cleanup();
      if (typeof message?.error === 'string')
        reject(new Error(`training worker failed: ${message.error}`));
      else resolve(message);
    };
    const onError = (error: Error) => {
      cleanup();
      reject(new Error(`training worker failed: ${error.message}`));
    };
    const onExit = (code: number) => {
      cleanup();
      reject(new Error(`training worker exited with code ${code}`));
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}
