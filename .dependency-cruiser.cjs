// Import rules (npm run check:imports, part of npm test). docs/architecture.md explains the rooms.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import circle between files (type-only imports included).',
      from: { path: '^(lib|functions|bench|scripts)/' },
      to: { circular: true },
    },
    {
      name: 'client-is-the-callers-library',
      severity: 'error',
      comment: 'lib/client is what callers import: nothing server-side, no CLI, no audit.',
      from: { path: '^lib/client/' },
      to: { path: '^lib/', pathNot: ['^lib/client/', '^lib/contract\\.ts$', '^lib/cache\\.ts$'] },
    },
    {
      name: 'nothing-imports-the-cli',
      severity: 'error',
      comment: 'The CLI imports the library and the audit, never the reverse.',
      from: { path: '^(lib|functions)/', pathNot: '^lib/cli/' },
      to: { path: '^lib/cli/' },
    },
    {
      name: 'principals-is-the-bottom',
      severity: 'error',
      comment: 'ARNs, partitions and principal matching depend on nothing above them.',
      from: { path: '^lib/principals/' },
      to: {
        path: '^lib/',
        pathNot: ['^lib/principals/', '^lib/errors\\.ts$', '^lib/contract\\.ts$'],
      },
    },
    {
      name: 'through-the-index',
      severity: 'error',
      comment:
        "Another folder is entered through its index.ts. lib/client/refresh.ts is a leaf of constants the CLI cache's hit path imports directly, and lib/grants/schema.ts the grant schema `rolebroker grants validate` checks offline, so that they load no AWS SDK.",
      from: { path: '^(lib|functions)/([^/]+)' },
      to: {
        path: '^lib/[^/]+/',
        pathNot: [
          '^lib/$2/',
          '^lib/[^/]+/index\\.ts$',
          '^lib/client/refresh\\.ts$',
          '^lib/grants/schema\\.ts$',
        ],
      },
    },
    {
      name: 'shipped-code-stays-out-of-tests',
      severity: 'error',
      comment: 'What is deployed or installed never imports tests, bench or scripts.',
      from: { path: '^(lib|functions)/' },
      to: { path: '^(test|bench|scripts)/' },
    },
    {
      name: 'bench-never-imports-test',
      severity: 'error',
      comment: 'Shared fixtures live in scripts/; bench and test both import them.',
      from: { path: '^(bench|scripts)/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|\\.serverless|\\.esbuild)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.mjs', '.js', '.cjs', '.json'] },
  },
};
