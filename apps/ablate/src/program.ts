import { Command, InvalidArgumentError, type Option } from 'commander';
import { table1Markdown } from '@edmkit/presets';
import {
  samplerCommandOptions,
  samplerFlags,
  sharedFlags,
  solverCommandOptions,
  solverFlags,
  trainingCommandOptions,
  trainingFlags,
  type AllFlagValues,
  type SamplerFlagValues,
  type SolverFlagValues,
  type TrainingFlagValues,
} from './flags.js';
import { prepareOutDir } from './output/index.js';
import {
  runMergeCommand,
  runSamplerCommand,
  samplerDefaults,
  samplerFull,
  type SamplerCommandOptions,
} from './sampler-command.js';
import { runTrainingCommand, type TrainingCommandOptions } from './training-command.js';
import { runSolverCommand, type SolverCommandOptions } from './solver-command.js';

/** The ablations, each a subcommand `edmkit ablate <name>`; `all` is also what `edmkit ablate` runs. */
export const ablationNames = ['sampler', 'training', 'solvers', 'all'] as const;

/** What one `edmkit ablate …` command line runs: the options of each ablation it includes. */
export interface AblationPlan {
  /** Output directory, checked before anything runs. */
  readonly out: string;
  readonly sampler?: SamplerCommandOptions;
  readonly training?: TrainingCommandOptions;
  readonly solvers?: SolverCommandOptions;
}

/** Runs a plan: checks `out` (fails in a second, not after the computation), then each ablation in turn. */
export async function runAblationPlan(plan: AblationPlan): Promise<void> {
  await prepareOutDir(plan.out);
  if (plan.sampler) await runSamplerCommand(plan.sampler);
  if (plan.training) await runTrainingCommand(plan.training);
  if (plan.solvers) await runSolverCommand(plan.solvers);
}

/** Options of {@link buildProgram}. */
export interface ProgramOptions {
  /** Runs what an `edmkit ablate …` command line asks for. Default {@link runAblationPlan}. */
  readonly runAblations?: (plan: AblationPlan) => Promise<void>;
}

/** A command and all its subcommands, at any depth. */
export function commandTree(command: Command): Command[] {
  return [command, ...command.commands.flatMap((c) => commandTree(c))];
}

const samplerHelp = `
Defaults: ${JSON.stringify(samplerDefaults.sizes)}
--full:   ${JSON.stringify(samplerFull.sizes)}

Sampler ablation: writes <out>/sampler-ablation.md (tables, and where our exact-denoiser
results differ from the paper's Fig. 2 and why), <out>/sampler-ablation.json (every number and
configuration), <out>/sampler-ablation-<data>.png (error vs NFE, log-log) and
<out>/samples-<data>.png (sample grids of the digit sets). For mnist, the empirical set, only the
fraction of samples that end on another training image than the reference is reported.`;

const trainingHelp = `Training ablation (quick mode: MLP denoisers on low-dimensional data, Table 2 rows A–F):
writes <out>/training-ablation.md, .json and -loss.png.`;

const solverHelp = `Solver ablation: writes <out>/solver-ablation.md (tables), .json and
<out>/solver-ablation-<data>.png (error vs NFE, log-log).`;

function withOptions(command: Command, ...groups: Option[][]): Command {
  for (const option of groups.flat()) command.addOption(option);
  return command;
}

export function buildProgram(options: ProgramOptions = {}): Command {
  const runAblations = options.runAblations ?? runAblationPlan;
  const program = new Command('edmkit')
    .description('Reproduce the ablations of the EDM paper (Karras et al. 2022) with edmkit.')
    // One `edmkit: …` line per refused flag or value, pointing to --help (not the whole help).
    // Subcommands created after this inherit it.
    .configureOutput({
      outputError: (text, write) =>
        write(`edmkit: ${text.replace(/^error: /, '').trimEnd()} (see --help)\n`),
    });

  const ablate = program
    .command('ablate')
    .description('Run an ablation of the paper and write its tables, JSON and plots.')
    .addHelpText(
      'after',
      `
\`edmkit ablate\` alone runs all three (the same as \`edmkit ablate all\`).
\`edmkit ablate <ablation> --help\` lists the flags of one.`,
    );

  withOptions(
    ablate
      .command('sampler')
      .description(
        'The sampler ablation: paper Fig. 2 / Table 1 sampling rows, on exact ideal denoisers.',
      ),
    samplerFlags(),
    sharedFlags(),
  )
    .addHelpText('after', samplerHelp)
    .action(async (flags: SamplerFlagValues) => {
      const sampler = samplerCommandOptions(flags);
      await runAblations({ out: sampler.out, sampler });
    });

  withOptions(
    ablate
      .command('training')
      .description(
        'The training ablation: Table 2, quick mode (MLPs on low-dimensional data, minutes) or --mode full (small U-Nets on MNIST, hours).',
      ),
    trainingFlags(),
    sharedFlags(),
  )
    .addHelpText('after', `\n${trainingHelp}`)
    .action(async (flags: TrainingFlagValues) => {
      const training = trainingCommandOptions(flags);
      await runAblations({ out: training.out, training });
    });

  withOptions(
    ablate
      .command('solvers')
      .description("The solver ablation: low-NFE solvers against EDM's Heun."),
    solverFlags(),
    sharedFlags(),
  )
    .addHelpText('after', `\n${solverHelp}`)
    .action(async (flags: SolverFlagValues) => {
      const solvers = solverCommandOptions(flags, false);
      await runAblations({ out: solvers.out, solvers });
    });

  withOptions(
    ablate
      .command('all', { isDefault: true })
      .description(
        'All three in turn, the solver ablation in a short version (what `edmkit ablate` runs).',
      ),
    samplerFlags(),
    trainingFlags(),
    solverFlags(),
    sharedFlags(),
  )
    // `edmkit ablate <word>` with an unknown word lands here; say which names there are.
    .allowExcessArguments()
    .addHelpText('after', `${samplerHelp}\n${trainingHelp}\n${solverHelp}`)
    .action(async (flags: AllFlagValues, command: Command) => {
      const [word] = command.args;
      if (word !== undefined) {
        throw new InvalidArgumentError(
          (ablationNames as readonly string[]).includes(word)
            ? `the ablation goes before its flags: edmkit ablate ${word} [flags]`
            : `unknown ablation "${word}"; expected one of: ${ablationNames.join(', ')}`,
        );
      }
      const sampler = samplerCommandOptions(flags);
      // A shard (`--shard k/n`, for `edmkit merge`) is a part of the sampler ablation only.
      await runAblations(
        sampler.shard
          ? { out: sampler.out, sampler }
          : {
              out: sampler.out,
              sampler,
              training: trainingCommandOptions(flags),
              solvers: solverCommandOptions(flags, true),
            },
      );
    });

  program
    .command('merge')
    .description(
      'Merge the shard files of `edmkit ablate sampler --shard k/n` into the full report.',
    )
    .argument('<files...>', 'the shard files (sampler-ablation.shard-k-of-n.json), one per shard')
    .option('--out <dir>', 'output directory', 'results')
    .action(async (files: string[], flags: { readonly out: string }) => {
      await prepareOutDir(flags.out);
      await runMergeCommand(files, { out: flags.out });
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
