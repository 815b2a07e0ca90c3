// esbuild options of the CLI and library bundles in dist/, shared by scripts/build-client.mjs
// and test/unit/cli/bundle.test.ts (which follows the imports between the output files).
// Code splitting puts what the CLI imports lazily (the audit, the IAM, SSM and STS clients)
// in dist/chunks/, loaded only by the commands that use it. The package's bin is a second,
// CommonJS build (`bin` below): the cache's fast path, which imports dist/rolebroker.mjs
// for anything but a hit.
module.exports = () => ({
  entryPoints: { rolebroker: 'lib/cli/bin.ts', index: 'lib/client/index.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  minify: true,
  mainFields: ['module', 'main'],
  // Every output file gets its own `require` for the CommonJS code bundled into it. The
  // shebang comes from lib/cli/bin.ts (esbuild puts it first), so only the CLI has one (the
  // bin below has its own, from lib/cli/bin-fast.ts).
  banner: {
    js: "import { createRequire as __rbCreateRequire } from 'node:module'; const require = __rbCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});

/** The package's bin, dist/rolebroker.cjs: one CommonJS file (no ESM loader on a cache hit). */
module.exports.bin = (outdir = 'dist') => ({
  entryPoints: { rolebroker: 'lib/cli/bin-fast.ts' },
  outdir,
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  logLevel: 'warning',
});
