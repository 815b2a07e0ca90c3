#!/usr/bin/env node
// The whole CLI, dist/rolebroker.mjs: the package's bin (bin-fast.ts) imports it whenever its
// fast path declines; the tests also run it directly.
import './quiet';
import { endQuietlyOnClosedPipe } from './closed-pipe';
import { main } from './index';

endQuietlyOnClosedPipe();

process.exitCode = await main(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
});
