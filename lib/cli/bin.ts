#!/usr/bin/env node
import './quiet';
import type { CliIo } from './command';
import { answerFromCache } from './fast-path';

const argv = process.argv.slice(2);
const io: CliIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
};
// A cache hit for a command line seen before is answered without loading commander.
if (!answerFromCache(argv, io)) {
  const { main } = await import('./index');
  process.exitCode = await main(argv, io);
}
