#!/usr/bin/env node
// The package's bin, dist/rolebroker.cjs: CommonJS, so that Node starts it without its ESM
// loader (~10 ms, a quarter of `node -e 0`). It answers a cache hit for a command line seen
// before (fast-path.ts) with node: built-ins only; anything else runs the whole CLI,
// dist/rolebroker.mjs (bin.ts), which parses the same process.argv.
import { writeSync } from 'node:fs';
import { endQuietlyOnClosedPipe } from './closed-pipe';
import { answerFromCache } from './fast-path';

/**
 * stdout as write(2) on fd 1, without loading Node's stream machinery for process.stdout
 * (~3 ms on a pipe). What it cannot write at once (a full non-blocking pipe, any error) goes
 * to process.stdout, as on the full path.
 */
function writeOut(text: string) {
  const data = Buffer.from(text);
  let done = 0;
  try {
    while (done < data.length) done += writeSync(1, data, done);
  } catch (error) {
    // The reader is gone (`... | head -c 10`): nothing more to say, as on the full path.
    if ((error as NodeJS.ErrnoException).code === 'EPIPE') return;
    endQuietlyOnClosedPipe();
    process.stdout.write(data.subarray(done));
  }
}

const io = {
  stdout: writeOut,
  stderr: (text: string) => process.stderr.write(text),
  env: process.env,
};
if (!answerFromCache(process.argv.slice(2), io)) {
  // Beside this file in dist/; a variable, so that esbuild leaves the import to Node.
  const fullCli = './rolebroker.mjs';
  void import(fullCli);
}
