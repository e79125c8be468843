#!/usr/bin/env node
import { InvalidArgumentError } from 'commander';
import { EdmkitError } from '@edmkit/core';
import { buildProgram } from './program.js';

async function main(): Promise<void> {
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (error) {
    if (error instanceof EdmkitError || error instanceof InvalidArgumentError) {
      process.stderr.write(`edmkit: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw error;
  }
}

await main();
