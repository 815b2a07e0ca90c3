// Builds what package.json exposes: the `rolebroker` CLI and the fromBroker library, as
// self-contained ESM bundles in dist/. Runs on `npm ci` (prepare).
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  minify: true,
  mainFields: ['module', 'main'],
  banner: {
    js: "import { createRequire as __rbCreateRequire } from 'node:module'; const require = __rbCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
};

await build({
  ...common,
  entryPoints: ['lib/cli/bin.ts'],
  outfile: 'dist/rolebroker.mjs',
  banner: { js: `#!/usr/bin/env node\n${common.banner.js}` },
});
await build({ ...common, entryPoints: ['lib/client/index.ts'], outfile: 'dist/index.mjs' });
