#!/usr/bin/env node
import './quiet';
import { writeSync } from 'node:fs';
import type { CliIo } from './command';
import { answerFromCache } from './fast-path';

const argv = process.argv.slice(2);
const io: CliIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
};

/**
 * The fast path's stdout: write(2) on fd 1, without loading Node's stream machinery for
 * process.stdout (~3 ms on a pipe). What it cannot write at once (a full non-blocking pipe,
 * any error) goes to process.stdout, as on the full path.
 */
function writeOut(text: string) {
  const data = Buffer.from(text);
  let done = 0;
  try {
    while (done < data.length) done += writeSync(1, data, done);
  } catch {
    process.stdout.write(data.subarray(done));
  }
}

// A cache hit for a command line seen before is answered without loading commander.
if (!answerFromCache(argv, { ...io, stdout: writeOut })) {
  const { main } = await import('./index');
  process.exitCode = await main(argv, io);
}
