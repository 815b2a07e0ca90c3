import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaultProxy, jsonFault, startFaultProxy } from '../../scripts/relay';

// The Lambda bundles drop SSM's error registrations (scripts/sls/esbuild.cjs). An SSM error
// must still reach the broker with what it reads: name, $fault, HTTP status and message.
const ROOT = join(import.meta.dirname, '../..');
const lambdaOptions = createRequire(import.meta.url)('../../scripts/sls/esbuild.cjs') as () => {
  plugins: unknown[];
  [key: string]: unknown;
};

const ENTRY = `
import { GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
export async function failure(endpoint) {
  const ssm = new SSMClient({
    region: 'us-east-1',
    endpoint,
    maxAttempts: 1,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  });
  try {
    await ssm.send(new GetParametersByPathCommand({ Path: '/rolebroker/grants' }));
    return null;
  } catch (e) {
    return { name: e.name, fault: e.$fault, status: e.$metadata?.httpStatusCode, message: e.message };
  }
}`;

type Failure = (endpoint: string) => Promise<Record<string, unknown> | null>;
let work: string;
let proxy: FaultProxy;
const bundles: Record<'shipped' | 'whole', { failure: Failure; text: string }> = {} as never;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'rolebroker-bundle-errors-'));
  // Never relayed: every request gets a canned answer.
  proxy = await startFaultProxy('http://127.0.0.1:9');
  const { exclude: _e, outputFileExtension: _x, ...options } = lambdaOptions();
  for (const [name, plugins] of [
    ['shipped', options.plugins],
    ['whole', []],
  ] as const) {
    const outfile = join(work, `${name}.mjs`);
    const result = await build({
      ...options,
      plugins: plugins as never,
      stdin: { contents: ENTRY, resolveDir: ROOT, loader: 'js' },
      outfile,
      write: true,
      logLevel: 'error',
    });
    expect(result.errors).toEqual([]);
    const mod = (await import(pathToFileURL(outfile).href)) as { failure: Failure };
    const { readFile } = await import('node:fs/promises');
    bundles[name] = { failure: mod.failure, text: await readFile(outfile, 'utf8') };
  }
}, 60_000);

afterAll(async () => {
  await proxy.close();
  await rm(work, { recursive: true, force: true });
});

describe('SSM errors through the shipped Lambda bundle', () => {
  it('leaves out the error classes and their schemas (about 55 KiB)', () => {
    const classes = (text: string) => (text.match(/shapeId="com\.amazonaws\.ssm#/g) ?? []).length;
    expect(classes(bundles.whole.text)).toBeGreaterThan(100);
    expect(classes(bundles.shipped.text)).toBeLessThan(10);
    // Names that only SSM's error classes and error schemas carry.
    for (const name of ['AssociationAlreadyExists', 'OpsItemConflictException', 'TooManyUpdates']) {
      expect(bundles.whole.text).toContain(name);
      expect(bundles.shipped.text).not.toContain(name);
    }
    expect(bundles.whole.text.length - bundles.shipped.text.length).toBeGreaterThan(50_000);
  });

  it.each([
    [400, 'ThrottlingException', 'Rate exceeded'],
    [400, 'AccessDeniedException', 'not authorized to perform ssm:GetParametersByPath'],
    [400, 'ParameterNotFound', 'no such parameter'],
    [500, 'InternalServerError', 'internal error'],
    [400, 'UnrecognizedClientException', 'The security token included in the request is invalid'],
  ])('%i %s reads the same as with the classes', async (status, type, message) => {
    proxy.decide = () => jsonFault(status, type, message);
    const shipped = await bundles.shipped.failure(proxy.endpoint);
    const whole = await bundles.whole.failure(proxy.endpoint);
    expect(shipped).toEqual(whole);
    expect(shipped).toMatchObject({
      name: type,
      status,
      message,
      fault: status < 500 ? 'client' : 'server',
    });
  });
});
