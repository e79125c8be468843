import { Command, InvalidArgumentError, Option } from 'commander';
import { samplerFamilies, table1Markdown } from '@edmkit/presets';
import { MNIST_MAX_COUNT } from '@edmkit/data/mnist';
import { prepareOutDir } from './output/index.js';
import {
  runMergeCommand,
  runSamplerCommand,
  samplerDefaults,
  samplerFull,
} from './sampler-command.js';
import { runTrainingCommand, trainingDefaults, trainingFullDefaults } from './training-command.js';
import { runSolverCommand, solverDefaults } from './solver-command.js';

function intList(name: string) {
  return (value: string): number[] => {
    const list = value.split(',').map((s) => Number(s.trim()));
    if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < 1)) {
      throw new InvalidArgumentError(`${name} must be a comma-separated list of integers >= 1`);
    }
    return list;
  };
}

function int(name: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min)
      throw new InvalidArgumentError(`${name} must be an integer >= ${min}`);
    return n;
  };
}

function intRange(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`${name} must be an integer in ${min}…${max}`);
    return n;
  };
}

function fraction(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!(n > 0 && n <= 1)) throw new InvalidArgumentError(`${name} must be a number in (0, 1]`);
    return n;
  };
}

function nameList(name: string, known: readonly string[]) {
  return (value: string): string[] => {
    const list = value.split(',').map((s) => s.trim());
    for (const item of list) {
      if (!known.includes(item))
        throw new InvalidArgumentError(
          `unknown ${name} "${item}"; expected one of: ${known.join(', ')}`,
        );
    }
    return list;
  };
}

export function buildProgram(): Command {
  const program = new Command('edmkit')
    .description('Reproduce the ablations of the EDM paper (Karras et al. 2022) with edmkit.')
    // One `edmkit: …` line per refused flag or value, pointing to --help (not the whole help).
    .configureOutput({
      outputError: (text, write) =>
        write(`edmkit: ${text.replace(/^error: /, '').trimEnd()} (see --help)\n`),
    });

  const ablate = program
    .command('ablate')
    .description('Run an ablation of the paper and write its tables, JSON and plots.')
    .argument(
      '[kind]',
      'which ablation: "sampler" (paper Fig. 2 / Table 1 sampling rows), "training" (Table 2, quick mode), "solvers" (low-NFE solvers vs Heun), or "all" (all three, solvers in a short version)',
      'all',
    )
    .addOption(
      new Option('--families <list>', 'model families whose sampler chains run (comma-separated)')
        .default([...samplerDefaults.families], samplerDefaults.families.join(','))
        .argParser(nameList('family', samplerFamilies)),
    )
    .option('--no-edm', 'leave out the EDM preset row (EDM network, σ ∈ [0.002, 80])')
    .addOption(
      new Option(
        '--nfe <list>',
        'target NFE values (each configuration uses the most steps whose NFE fits)',
      )
        .default([...samplerDefaults.nfe], samplerDefaults.nfe.join(','))
        .argParser(intList('--nfe')),
    )
    .addOption(
      new Option(
        '--data <list>',
        'data sets: gmm (Gaussian mixture), mnist (empirical MNIST distribution), mnist-kde (the same digits blurred by N(0, 0.1²))',
      )
        .default([...samplerDefaults.data], samplerDefaults.data.join(','))
        .argParser(nameList('data set', ['gmm', 'mnist', 'mnist-kde'])),
    )
    .addOption(
      new Option('--gmm-samples <n>', 'samples from the Gaussian mixture').argParser(
        int('--gmm-samples', 1),
      ),
    )
    .addOption(
      new Option('--gmm-dim <n>', 'dimension of the Gaussian mixture').argParser(
        int('--gmm-dim', 1),
      ),
    )
    .addOption(
      new Option('--gmm-components <n>', 'components of the Gaussian mixture').argParser(
        int('--gmm-components', 1),
      ),
    )
    .addOption(
      new Option('--mnist-samples <n>', 'samples from the MNIST empirical distribution').argParser(
        int('--mnist-samples', 1),
      ),
    )
    .addOption(
      new Option(
        '--mnist-images <n>',
        `MNIST images in the empirical distribution, split evenly over the ten digits (at most ${MNIST_MAX_COUNT})`,
      ).argParser(intRange('--mnist-images', 1, MNIST_MAX_COUNT)),
    )
    .addOption(
      new Option('--mnist-size <side>', 'MNIST image side: 28, or 14 (2×2 average pooled)').choices(
        ['14', '28'],
      ),
    )
    .option(
      '--full',
      'the full sizes (1024 mixture samples; 256 samples over all MNIST digits at 28×28); hours on 2 cores',
    )
    .addOption(
      new Option('--seed <n>', 'seed of the latents, the mixture and the image subset')
        .default(0)
        .argParser(int('--seed', 0)),
    )
    .addOption(
      new Option('--rtol <x>', 'relative tolerance of the reference ODE solve, in (0, 1]')
        .default(samplerDefaults.rtol)
        .argParser(fraction('--rtol')),
    )
    .addOption(
      new Option('--baselines <list>', 'training ablation: Table 2 baselines (vp, ve)')
        .default([...trainingDefaults.baselines], trainingDefaults.baselines.join(','))
        .argParser(nameList('baseline', ['vp', 've'])),
    )
    .addOption(
      new Option(
        '--mode <mode>',
        'training ablation: quick (MLPs on low-dimensional data, minutes) or full (small U-Nets on MNIST, hours)',
      )
        .choices(['quick', 'full'])
        .default('quick'),
    )
    .addOption(
      new Option(
        '--mnist-train-images <n>',
        'training ablation, full mode: MNIST images to train on',
      ).argParser(int('--mnist-train-images', 2)),
    )
    .addOption(
      new Option(
        '--train-data <name>',
        'training ablation data: ring (2-D, 8 Gaussians) or gmm (16-d mixture)',
      )
        .choices(['ring', 'gmm'])
        .default(trainingDefaults.data),
    )
    .addOption(
      new Option(
        '--train-images <n>',
        `training ablation: images per configuration (default ${trainingDefaults.totalImages}; full mode ${trainingFullDefaults.totalImages})`,
      ).argParser(int('--train-images', 1)),
    )
    .addOption(
      new Option(
        '--train-samples <n>',
        `training ablation: samples drawn from each trained model (default ${trainingDefaults.samples}; full mode ${trainingFullDefaults.samples})`,
      ).argParser(int('--train-samples', 2)),
    )
    .addOption(
      new Option(
        '--backend <name>',
        'tfjs backend of the training ablation (default: EDMKIT_BACKEND, else the fastest available)',
      ).choices(['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']),
    )
    .addOption(
      new Option(
        '--solver-data <list>',
        `solver ablation: data sets (default ${solverDefaults.data.join(',')}): gmm, mnist, mnist-kde`,
      ).argParser(nameList('data set', ['gmm', 'mnist', 'mnist-kde'])),
    )
    .addOption(
      new Option(
        '--workers <n>',
        'training ablation: worker threads per training run, each computing the gradient of a slice of the batch (default: one per core)',
      ).argParser(int('--workers', 1)),
    )
    .addOption(
      new Option(
        '--solver-nfe <list>',
        `solver ablation: target NFE values (default ${solverDefaults.nfe.join(',')}; ${solverDefaults.shortNfe.join(',')} within "all")`,
      ).argParser(intList('--solver-nfe')),
    )
    .addOption(
      new Option(
        '--jobs <n>',
        'sampler ablation: processes to split the configurations over (default: min(2, cores))',
      ).argParser(int('--jobs', 1)),
    )
    .option(
      '--shard <k/n>',
      'sampler ablation: run only shard k of n and write its results for `edmkit merge` (for clusters)',
    )
    .addOption(
      new Option('--progress-json', 'progress as JSON lines on stdout (used by --jobs)').hideHelp(),
    )
    .option('--out <dir>', 'output directory', 'results')
    .option('--no-progress', 'no progress display')
    .addHelpText(
      'after',
      `
Defaults: ${JSON.stringify(samplerDefaults.sizes)}
--full:   ${JSON.stringify(samplerFull.sizes)}

Sampler ablation: writes <out>/sampler-ablation.md (tables), <out>/sampler-ablation.json
(every number and configuration), <out>/sampler-ablation-<data>.png (error vs NFE, log-log)
and <out>/samples-mnist.png (a sample grid).
Training ablation (quick mode: MLP denoisers on low-dimensional data, Table 2 rows A–F):
writes <out>/training-ablation.md, .json and -loss.png.`,
    )
    .action(async (kind: string, opts: Record<string, unknown>) => {
      if (!['sampler', 'training', 'solvers', 'all'].includes(kind)) {
        throw new InvalidArgumentError(
          `unknown ablation "${kind}"; expected one of: sampler, training, solvers, all`,
        );
      }
      // Fail on an unusable --out in a second, not after the computation.
      await prepareOutDir(String(opts['out']));
      if (kind === 'sampler' || kind === 'all') await runSamplerCommand(opts);
      if (opts['shard'] !== undefined) return;
      if (kind === 'training' || kind === 'all') await runTrainingCommand(opts);
      if (kind === 'solvers' || kind === 'all') await runSolverCommand(opts, kind === 'all');
    });
  void ablate;

  program
    .command('merge')
    .description(
      'Merge the shard files of `edmkit ablate sampler --shard k/n` into the full report.',
    )
    .argument('<files...>', 'the shard files (sampler-ablation.shard-k-of-n.json), one per shard')
    .option('--out <dir>', 'output directory', 'results')
    .action(async (files: string[], opts: Record<string, unknown>) => {
      await prepareOutDir(String(opts['out']));
      await runMergeCommand(files, opts);
    });

  program
    .command('table1')
    .description(
      "Print the paper's Table 1 (design choices of VP, VE, iDDPM+DDIM and EDM) as markdown.",
    )
    .action(() => {
      process.stdout.write(table1Markdown());
    });
  return program;
}
