// Builds what package.json exposes: the `rolebroker` CLI (the bin dist/rolebroker.cjs, which
// answers cache hits and otherwise runs dist/rolebroker.mjs) and the
// fromBroker library (dist/index.mjs), as ESM bundles with no runtime dependencies, and the
// library's type declarations (dist/types/, tsconfig.types.json). Runs on `npm ci` and
// `npm pack` (prepare), so a packed tarball always holds a fresh build. The esbuild options
// are in scripts/client-bundle.cjs.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

// Chunk names carry a content hash: start empty so that no stale chunk stays behind.
rmSync('dist', { recursive: true, force: true });

const options = createRequire(import.meta.url)('./client-bundle.cjs');
await build(options());
await build(options.bin());

// Declarations of lib/client/index.ts and what it imports (lib/contract.ts, lib/cache.ts).
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.types.json'], {
  stdio: 'inherit',
});
