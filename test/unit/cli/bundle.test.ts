import { createRequire } from 'node:module';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';

const clientBundleOptions = createRequire(import.meta.url)(
  '../../../scripts/client-bundle.cjs',
) as { (): BuildOptions; bin(): BuildOptions };

// The split that scripts/build-client.mjs ships, without writing anything: what each
// command makes Node load, by following the imports between the output files.
let outputs: Metafile['outputs'];
const ENTRY = 'dist/rolebroker.mjs';

beforeAll(async () => {
  const result = await build({
    ...clientBundleOptions(),
    metafile: true,
    write: false,
    logLevel: 'silent',
  });

  outputs = result.metafile.outputs;
}, 30_000);

/** The output files loaded with `file`, following static imports only. */
function loadedWith(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  for (const i of outputs[file]?.imports ?? []) {
    if (!i.external && i.kind === 'import-statement') loadedWith(i.path, seen);
  }
  return seen;
}

/** The source files (lib/... or the npm package name) bundled into `files`. */
function sources(files: Set<string>): Set<string> {
  const found = new Set<string>();
  for (const file of files) {
    for (const input of Object.keys(outputs[file]?.inputs ?? {})) {
      found.add(/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? input);
    }
  }
  return found;
}

/** What the action of a command loads: the output file that holds its run module. */
function action(command: string): Set<string> {
  const file = Object.keys(outputs).find((f) => outputs[f]?.inputs[`lib/cli/run/${command}.ts`]);
  if (!file) throw new Error(`no output holds lib/cli/run/${command}.ts`);
  return loadedWith(file, new Set(loadedWith(ENTRY)));
}

/** What an action loads once its lazy imports (the broker request, the lock) have run too. */
function onMiss(command: string): Set<string> {
  const loaded = action(command);
  for (const file of [...loaded]) {
    for (const i of outputs[file]?.imports ?? []) {
      if (!i.external && i.kind === 'dynamic-import' && !/^lib\/cli\/run\//.test(runOf(i.path))) {
        loadedWith(i.path, loaded);
      }
    }
  }
  return loaded;
}

/** The lib/cli/run module an output file holds, if any. */
const runOf = (file: string) =>
  Object.keys(outputs[file]?.inputs ?? {}).find((i) => i.startsWith('lib/cli/run/')) ?? '';

describe('the CLI bundle', () => {
  it('loads commander and lib/cli for --help, --version and usage errors: no AWS SDK', () => {
    const loaded = [...sources(loadedWith(ENTRY))];
    expect(loaded).toContain('commander');
    expect(loaded.filter((s) => /^@aws-|^@smithy\//.test(s))).toEqual([]);
    expect(loaded.filter((s) => /^lib\/(audit|client|grants|aws)\//.test(s))).toEqual([]);
  });

  it('serves a cache hit of `rolebroker credentials` with no AWS SDK and no file lock', () => {
    const loaded = [...sources(action('credentials'))];
    expect(loaded).toContain('lib/cli/credential-cache.ts');
    expect(loaded.filter((s) => /^@aws-|^@smithy\/|^proper-lockfile$/.test(s))).toEqual([]);
    expect(loaded.filter((s) => /^lib\/(audit|grants|aws)\//.test(s))).toEqual([]);
    expect(loaded.filter((s) => s.startsWith('lib/client/'))).toEqual(['lib/client/refresh.ts']);
  });

  it('loads no IAM or SSM client and no audit for `rolebroker credentials` on a miss', () => {
    const loaded = sources(onMiss('credentials'));
    expect(loaded).toContain('@aws-sdk/client-sts');
    expect(loaded).toContain('proper-lockfile');
    expect(loaded).not.toContain('@aws-sdk/client-iam');
    expect(loaded).not.toContain('@aws-sdk/client-ssm');
    expect([...loaded].filter((s) => s.startsWith('lib/audit/'))).toEqual([]);
  });

  it.each(['exec', 'serve'])(
    'loads no IAM or SSM client and no audit for `rolebroker %s`',
    (command) => {
      const loaded = sources(action(command));
      expect(loaded).toContain('@aws-sdk/client-sts');
      expect(loaded).not.toContain('@aws-sdk/client-iam');
      expect(loaded).not.toContain('@aws-sdk/client-ssm');
      expect([...loaded].filter((s) => s.startsWith('lib/audit/'))).toEqual([]);
    },
  );

  it('loads the IAM client for revoke, and the audit with the SSM and IAM clients for audit', () => {
    expect(sources(action('revoke'))).toContain('@aws-sdk/client-iam');
    expect(sources(action('revoke'))).not.toContain('@aws-sdk/client-ssm');
    const audit = sources(action('audit'));
    for (const s of ['@aws-sdk/client-ssm', '@aws-sdk/client-iam', 'lib/audit/audit.ts']) {
      expect(audit).toContain(s);
    }
  });

  it('loads no AWS client for `grants validate` (only the SDK date parser grant windows use), and the SSM client but no IAM client or audit for the other grants commands', () => {
    const validate = [...sources(action('grants-validate'))];
    expect(validate).toContain('lib/grants/schema.ts');
    expect(validate.filter((s) => /^@aws-|^lib\/(aws|audit|client)\//.test(s))).toEqual([]);
    // The RFC 3339 parser and what it drags along: no client, signer or protocol.
    const smithy = [...action('grants-validate')]
      .flatMap((file) => Object.entries(outputs[file]?.inputs ?? {}))
      .filter(([input, { bytesInOutput }]) => input.includes('@smithy/') && bytesInOutput > 0)
      .map(([input]) => input.replace(/^.*node_modules\//, ''))
      .filter(
        (input) => !/^@smithy\/(core\/dist-es\/submodules\/(serde|transport)|types)\//.test(input),
      );
    expect(smithy).toEqual([]);
    const store = sources(action('grants'));
    expect(store).toContain('@aws-sdk/client-ssm');
    expect(store).not.toContain('@aws-sdk/client-iam');
    expect([...store].filter((s) => s.startsWith('lib/audit/'))).toEqual([]);
  });

  it('answers a cache hit from the bin alone: one CommonJS file of node: built-ins and the cache', async () => {
    const bin = await build({
      ...clientBundleOptions.bin(),
      metafile: true,
      write: false,
      logLevel: 'silent',
    });
    const files = Object.keys(bin.metafile.outputs);
    expect(files).toEqual(['dist/rolebroker.cjs']);
    const inputs = Object.keys(bin.metafile.outputs['dist/rolebroker.cjs']?.inputs ?? {});
    expect(inputs).toContain('lib/cli/fast-path.ts');
    expect(inputs).toContain('lib/cli/credential-cache.ts');
    // No package but package.json's version; of the library, at most its leaf of constants.
    const allowed =
      /^(lib\/cli\/(bin-fast|closed-pipe|fast-path|credential-cache|cli-env|run\/credential-format)\.ts|lib\/client\/refresh\.ts|package\.json)$/;
    expect(inputs.filter((i) => !allowed.test(i))).toEqual([]);
    // Everything else is the whole CLI beside it, imported only when the fast path declines.
    const text = bin.outputFiles?.[0]?.text ?? '';
    expect([...text.matchAll(/\bimport\(([^)]*)\)/g)].map((m) => m[1])).toEqual([
      '"./rolebroker.mjs"',
    ]);
    const required = [...text.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]);
    expect(required.filter((r) => !r?.startsWith('node:'))).toEqual([]);
  });

  it('keeps the library entry free of the CLI', () => {
    const loaded = [...sources(loadedWith('dist/index.mjs'))];
    expect(loaded.filter((s) => s === 'commander' || s.startsWith('lib/cli/'))).toEqual([]);
    expect(
      loaded.filter(
        (s) => s.startsWith('lib/') && !/^lib\/(client\/|contract\.ts|cache\.ts)/.test(s),
      ),
    ).toEqual([]);
  });
});
