#!/usr/bin/env node
import { CommanderError, InvalidArgumentError } from 'commander';
import { ParameterError, UnknownNameError } from '@edmkit/core';
import { OutDirError } from './output/index.js';
import { buildProgram, commandTree } from './program.js';

/**
 * Exit codes: 0 success; 1 a failure while running (an error computing or writing
 * results); 2 a refused command line (unknown flag, bad value, unusable --out).
 * Every failure is one `edmkit: …` line on stderr (set EDMKIT_DEBUG=1 for the stack).
 */
export const EXIT = Object.freeze({ ok: 0, failure: 1, usage: 2 });

async function main(): Promise<void> {
  const program = buildProgram();
  // Every command at every depth (`edmkit ablate sampler` too) throws instead of exiting.
  for (const cmd of commandTree(program)) cmd.exitOverride();
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    // Commander prints its own parse errors; an InvalidArgumentError thrown by an action is not printed yet.
    if (error instanceof CommanderError && !(error instanceof InvalidArgumentError)) {
      // Help and version exit 0; commander has already printed its one-line error.
      process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
      return;
    }
    const usage =
      error instanceof InvalidArgumentError ||
      error instanceof ParameterError ||
      error instanceof UnknownNameError ||
      error instanceof OutDirError;
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`edmkit: ${message}\n`);
    if (process.env['EDMKIT_DEBUG'] && error instanceof Error)
      process.stderr.write(`${error.stack}\n`);
    process.exitCode = usage ? EXIT.usage : EXIT.failure;
  }
}

await main();
