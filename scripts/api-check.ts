/**
 * `npm run api-check`: schemathesis (from the project venv) against the local stack, with
 * docs/openapi.yaml: no 5xx, every status, header, content type and body as documented, and
 * every schema-invalid request refused. Requests are signed as the demo caller (sts mode).
 * Exits with schemathesis's status.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { createIdentityToken } from '../lib/client/identity-token';
import { EMULATOR_REGION, ensureVenv } from './emulator';
import { LOCAL_SERVER_ID, startLocalStack } from './local-stack';
import { GRANTS } from './seed';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_headers_conformance',
  'response_schema_conformance',
  'negative_data_rejection',
].join(',');

const venv = await ensureVenv('ci');
const localDir = await mkdtemp(join(tmpdir(), 'rolebroker-api-check-'));
// GET /roles hands schemathesis the demo's role ARNs, and it asks for each. The grant seeded
// with a wrong external ID answers 502 by design (an operator's mistake, not the caller's),
// so it is disabled here: every 5xx left is one a caller caused.
const stack = await startLocalStack({
  localDir,
  grants: {
    'strict-mismatch': { value: JSON.stringify({ ...GRANTS['strict-mismatch'], disabled: true }) },
  },
});
let status = 1;
try {
  Object.assign(process.env, stack.profileEnv);
  // The identity token is good for 5 minutes; the run is capped well inside that.
  const token = await createIdentityToken({
    credentials: await defaultProvider({ profile: 'demo-caller' })(),
    region: EMULATOR_REGION,
    endpoint: stack.emulatorEndpoint,
    serverId: LOCAL_SERVER_ID,
  });
  // Async: the stack's output pipes must keep draining while schemathesis runs.
  const child = spawn(
    join(venv, 'bin/schemathesis'),
    [
      '--config-file',
      join(ROOT, 'docs/schemathesis.toml'),
      'run',
      join(ROOT, 'docs/openapi.yaml'),
      '--url',
      stack.brokerUrl,
      '--header',
      `X-RoleBroker-Identity: ${token}`,
      '--checks',
      CHECKS,
      '--max-examples',
      process.env.API_CHECK_EXAMPLES ?? '150',
      '--max-time',
      '150',
      // One request at a time: on 2 cores parallel fuzzing starves serverless-offline and moto.
      '--workers',
      '1',
      '--request-timeout',
      '30',
      '--seed',
      process.env.API_CHECK_SEED ?? '20261125',
      '--warnings',
      'off',
      '--report-dir',
      join(localDir, 'reports'),
    ],
    { stdio: 'inherit' },
  );
  status = await new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
} finally {
  await stack.stop();
  await rm(localDir, { recursive: true, force: true });
}
process.exit(status);
