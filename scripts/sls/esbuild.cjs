// esbuild options for every Lambda bundle, used by serverless-esbuild (custom.esbuild.config)
// and by the benchmark, so both measure and ship the same code.
const { readFile } = require('node:fs/promises');
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

// SSM's schemas register all of its ~140 error classes when the module loads, which keeps
// ~50 KiB the broker never constructs in every bundle that reads grants (a cold start parses
// it all). Without the registrations an SSM error is the SDK's SSMServiceException under the
// same `name`, with `$fault`, `$metadata` and `message`, which is all the broker reads
// (test/integration/lambda-bundle-errors.test.ts). Fails the build if the SDK's file changes.
const SSM_SCHEMAS = /[\\/]@aws-sdk[\\/]client-ssm[\\/]dist-es[\\/]schemas[\\/]schemas_0\.js$/;
const ssmErrorRegistry = {
  name: 'rolebroker-ssm-error-registry',
  setup(build) {
    build.onLoad({ filter: SSM_SCHEMAS }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const contents = source.replace(/^n0_registry\.registerError\([^;\n]*\);$/gm, '');
      if (contents === source || /registerError\((?!SSMServiceException)/.test(contents)) {
        throw new Error(`${args.path}: its error registrations changed; review ${__filename}`);
      }
      return { contents, loader: 'js' };
    });
  },
};

// serverless-esbuild's rebuild on change under serverless-offline: its option, not esbuild's,
// so it is added only when the plugin calls (with `serverless`); the bench and the tests call
// with nothing and hand the rest to esbuild. Its default pattern, ./**/*.(js|ts), has chokidar
// walk the whole checkout, .venv included: tens of thousands of stat calls that held
// serverless-offline's start-up for 15 s or more while a first `npm start` wrote the venv.
const watch = { pattern: ['functions/**/*.ts', 'lib/**/*.ts'] };

module.exports = (serverless) => ({
  ...structuredClone(options),
  plugins: [ssmErrorRegistry],
  ...(serverless ? { watch } : {}),
});
