// esbuild options for every Lambda bundle, used by serverless-esbuild (custom.esbuild.config)
// and by the benchmark, so both measure and ship the same code.
const { join } = require('node:path');

const lambdaCredentials = join(__dirname, '..', '..', 'lib', 'aws', 'lambda-credentials.ts');

const options = {
  bundle: true,
  minify: true,
  // Error classes set their `name` themselves (ours and the SDK's), so nothing depends on
  // kept names; keeping them costs ~25 KiB and ~1 ms of module compile per cold start.
  keepNames: false,
  sourcemap: false,
  treeShaking: true,
  target: 'node22',
  platform: 'node',
  format: 'esm',
  outputFileExtension: '.mjs',
  mainFields: ['module', 'main'],
  // Bundle everything, the AWS SDK v3 included: the runtime's copy changes under us.
  exclude: [],
  // Lambda hands its role's credentials over in environment variables: the SDK's full default
  // chain (profiles, SSO, IMDS, ~100 KiB minified) is dead weight in a function bundle.
  alias: { '@aws-sdk/credential-provider-node': lambdaCredentials },
  // ESM output has no require(): bundled CommonJS that requires a Node built-in would fail at
  // run time ("Dynamic require of X is not supported"). Today's dependencies do not need it;
  // the shim keeps a future one from failing only on the code path that hits it.
  banner: {
    js: "import { createRequire as __rolebrokerCreateRequire } from 'node:module'; const require = __rolebrokerCreateRequire(import.meta.url);",
  },
};

module.exports = () => structuredClone(options);
