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
// (test/integration/lambda-bundle-errors.test.ts). The error schemas go too: their computed
// keys (`{ [_e]: _c }`) keep esbuild from dropping them unused, ~20 KiB more. Each is
// referenced only by its registration. Fails the build if the SDK's file changes.
const SSM_SCHEMAS = /[\\/]@aws-sdk[\\/]client-ssm[\\/]dist-es[\\/]schemas[\\/]schemas_0\.js$/;
const REGISTRATION = /^n0_registry\.registerError\((\w+)\$, \1\);$/gm;
const ERROR_SCHEMA = /^export var (\w+)\$ = \[-3, n0, [^;]*?\n\];$/gm;
const ssmErrorRegistry = {
  name: 'rolebroker-ssm-error-registry',
  setup(build) {
    build.onLoad({ filter: SSM_SCHEMAS }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const registered = [...source.matchAll(REGISTRATION)].map((m) => m[1]);
      const declared = [...source.matchAll(ERROR_SCHEMA)].map((m) => m[1]);
      const contents = source.replace(REGISTRATION, '').replace(ERROR_SCHEMA, '');
      const unchanged =
        registered.length > 0 &&
        registered.join() === declared.join() &&
        !/registerError\((?!SSMServiceException)/.test(contents) &&
        !registered.some((name) => contents.includes(`${name}$`));
      if (!unchanged) {
        throw new Error(`${args.path}: its error schemas changed; review ${__filename}`);
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
