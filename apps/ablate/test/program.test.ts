import { describe, expect, it } from 'vitest';
import { buildProgram } from '../src/program.js';

/** Parses argv with the real program, capturing commander's error output instead of exiting. */
async function parse(args: string[]): Promise<{ error?: string }> {
  const program = buildProgram();
  let error: string | undefined;
  program.exitOverride();
  for (const cmd of [program, ...program.commands]) {
    cmd.exitOverride();
    cmd.configureOutput({ writeErr: (s) => (error = (error ?? '') + s), writeOut: () => {} });
    // Replace the action so a valid command line does not run the ablation.
    if (cmd.name() === 'ablate') cmd.action(() => {});
  }
  try {
    await program.parseAsync(['node', 'edmkit', ...args]);
  } catch {
    // commander throws after writing the error
  }
  return error === undefined ? {} : { error };
}

describe('edmkit command line', () => {
  it('accepts the documented flags', async () => {
    expect(
      await parse([
        'ablate',
        'sampler',
        '--families',
        'vp,ve',
        '--nfe',
        '9,35',
        '--data',
        'gmm',
        '--seed',
        '3',
      ]),
    ).toEqual({});
  });

  it('refuses bad values, naming the flag and the allowed values', async () => {
    expect((await parse(['ablate', '--nfe', '0,35'])).error).toMatch(
      /--nfe must be a comma-separated list of integers >= 1/,
    );
    expect((await parse(['ablate', '--families', 'vp,ddim'])).error).toMatch(
      /unknown family "ddim"; expected one of: vp, ve, iddpm/,
    );
    expect((await parse(['ablate', '--data', 'cifar'])).error).toMatch(/unknown data set "cifar"/);
    expect((await parse(['ablate', '--mnist-size', '7'])).error).toMatch(
      /Allowed choices are 14, 28/,
    );
    expect((await parse(['ablate', '--rtol', '-1'])).error).toMatch(
      /--rtol must be a number in \(0, 1\]/,
    );
    expect((await parse(['ablate', '--rtol', '2'])).error).toMatch(
      /--rtol must be a number in \(0, 1\]/,
    );
    expect((await parse(['ablate', '--seed', '1.5'])).error).toMatch(
      /--seed must be an integer >= 0/,
    );
  });

  it('documents every flag in --help', () => {
    const ablate = buildProgram().commands.find((c) => c.name() === 'ablate')!;
    const help = ablate.helpInformation();
    for (const flag of [
      '--families',
      '--no-edm',
      '--nfe',
      '--data',
      '--gmm-samples',
      '--mnist-images',
      '--mnist-size',
      '--full',
      '--seed',
      '--rtol',
      '--out',
      '--no-progress',
    ]) {
      expect(help).toContain(flag);
    }
  });
});
