/**
 * `npm run api-check`: schemathesis (from the project venv) against the local stack, with
 * docs/openapi.yaml: no 5xx, every status, header, content type and body as documented, and
 * every schema-invalid request refused. Requests are signed as the demo caller (sts mode).
 * The seeded `strict-mismatch` grant is removed first: its role's trust policy wants another
 * external ID on purpose, so POST /credentials for it is a documented 502, which
 * not_a_server_error would count as a failure once the stateful phase follows GET /roles to
 * it (test/integration covers that 502).
 * Exits with schemathesis's status.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeleteParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { createIdentityToken } from '../lib/client/identity-token';
import { EMULATOR_REGION, ensureVenv } from './emulator';
import { LOCAL_SERVER_ID, startLocalStack } from './local-stack';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_headers_conformance',
  'response_schema_conformance',
  'negative_data_rejection',
].join(',');

const venv = ensureVenv();
const localDir = await mkdtemp(join(tmpdir(), 'rolebroker-api-check-'));
// Grants reload every second, so the removal below shows before the first request.
const stack = await startLocalStack({
  localDir,
  brokerEnv: { ROLEBROKER_GRANTS_TTL_SECONDS: '1' },
});
let status = 1;
try {
  Object.assign(process.env, stack.profileEnv);
  // Endpoint and region given here: the SDK reads a profile's endpoint_url only via AWS_PROFILE.
  const ssm = new SSMClient({
    profile: 'admin',
    endpoint: stack.emulatorEndpoint,
    region: EMULATOR_REGION,
  });
  await ssm.send(
    new DeleteParameterCommand({
      Name: `${process.env.ROLEBROKER_SSM_PREFIX ?? '/rolebroker'}/grants/strict-mismatch`,
    }),
  );
  ssm.destroy();
  await new Promise((resolve) => setTimeout(resolve, 2000));
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
