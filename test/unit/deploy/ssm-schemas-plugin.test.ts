import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The esbuild plugin in scripts/sls/esbuild.cjs that drops SSM's error registrations and
// error schemas: it must fail the build, not ship a half-edited file, when the SDK changes.
type OnLoad = (args: { path: string }) => Promise<{ contents: string }>;
const options = createRequire(import.meta.url)('../../../scripts/sls/esbuild.cjs') as () => {
  plugins: { setup(build: { onLoad(filter: unknown, callback: OnLoad): void }): void }[];
};

function onLoad(): OnLoad {
  let callback: OnLoad | undefined;
  options().plugins[0]?.setup({ onLoad: (_filter, cb) => (callback = cb) });
  if (!callback) throw new Error('the plugin registered no onLoad');
  return callback;
}

const SDK_FILE = join(
  import.meta.dirname,
  '../../../node_modules/@aws-sdk/client-ssm/dist-es/schemas/schemas_0.js',
);
let work: string;
let sdkSource: string;

/** Writes `source` where the plugin's filter expects SSM's schema file, returns its path. */
async function schemaFile(source: string): Promise<string> {
  const dir = join(work, `${Math.random()}`, '@aws-sdk/client-ssm/dist-es/schemas');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'schemas_0.js'), source);
  return join(dir, 'schemas_0.js');
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'rolebroker-ssm-plugin-'));
  sdkSource = await readFile(SDK_FILE, 'utf8');
});
afterAll(() => rm(work, { recursive: true, force: true }));

describe('the SSM error-schema plugin', () => {
  it("drops every error schema and registration of the installed SDK's file", async () => {
    const { contents } = await onLoad()({ path: SDK_FILE });
    expect(contents).not.toMatch(/registerError\((?!SSMServiceException)/);
    expect(contents).not.toContain('AccessDeniedException$');
    expect(contents).toContain('SSMServiceException$');
    expect(contents).toContain('GetParametersByPath$');
  });

  it('fails when the file no longer registers errors', async () => {
    const path = await schemaFile(sdkSource.replace(/^n0_registry\.registerError\(.*$/gm, ''));
    await expect(onLoad()({ path })).rejects.toThrow(/error schemas changed/);
  });

  it('fails when something else refers to an error schema', async () => {
    const path = await schemaFile(`${sdkSource}\nexport var uses = [AccessDeniedException$];\n`);
    await expect(onLoad()({ path })).rejects.toThrow(/error schemas changed/);
  });

  it('fails when an error schema is no longer in the expected form', async () => {
    const path = await schemaFile(
      sdkSource.replace(
        'export var AccessDeniedException$ = [-3,',
        'export const AccessDeniedException$ = [-3,',
      ),
    );
    await expect(onLoad()({ path })).rejects.toThrow(/error schemas changed/);
  });
});
