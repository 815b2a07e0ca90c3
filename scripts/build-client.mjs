// Builds what package.json exposes: the `rolebroker` CLI (dist/rolebroker.mjs) and the
// fromBroker library (dist/index.mjs), as ESM bundles with no runtime dependencies, and the
// library's type declarations (dist/types/, tsconfig.types.json). Runs on `npm ci` and
// `npm pack` (prepare), so a packed tarball always holds a fresh build. Code splitting puts what the CLI imports lazily (the audit, the IAM,
// SSM and STS clients) in dist/chunks/, loaded only by the commands that use it.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

// Chunk names carry a content hash: start empty so that no stale chunk stays behind.
rmSync('dist', { recursive: true, force: true });

await build({
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
  // shebang comes from lib/cli/bin.ts (esbuild puts it first), so only the CLI has one.
  banner: {
    js: "import { createRequire as __rbCreateRequire } from 'node:module'; const require = __rbCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});

// Declarations of lib/client/index.ts and what it imports (lib/contract.ts, lib/cache.ts).
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.types.json'], {
  stdio: 'inherit',
});
