/** `npm start`: the local broker with a seeded demo, until Ctrl-C. */

import { startLocalStack } from './local-stack';
import { ARNS, AUDIT_ROLES } from './seed';

const port = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1 || value > 65535)
    throw new Error(`${name} must be a TCP port`);
  return value;
};

const started = Date.now();
// Ctrl-C while starting stops whatever has started (serverless-offline has its own process
// group, so the terminal's SIGINT does not reach it), then exits 130.
const starting = new AbortController();
const interrupt = () => starting.abort();
process.on('SIGINT', interrupt);
process.on('SIGTERM', interrupt);
const stack = await startLocalStack({
  emulatorPort: port('EMULATOR_PORT', 5000),
  port: port('PORT', 3000),
  onBrokerOutput: (chunk) => process.stderr.write(chunk),
  onProgress: (line) =>
    process.stderr.write(`npm start [${((Date.now() - started) / 1000).toFixed(1)} s] ${line}\n`),
  signal: starting.signal,
}).catch((error: Error) => {
  if (!starting.signal.aborted) throw error;
  process.stderr.write('npm start: interrupted; everything it started is stopped\n');
  process.exit(130);
});
process.off('SIGINT', interrupt);
process.off('SIGTERM', interrupt);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  process.stdout.write('\nstopping the local stack...\n');
  await stack.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

process.stdout.write(`
rolebroker local stack ready
  broker    ${stack.brokerUrl}   (ROLEBROKER_AUTH=sts, server id rolebroker-local)
  emulator  ${stack.emulatorEndpoint}   (moto, signatures and IAM policies enforced)
  profiles  .local/aws-config, .local/aws-credentials: demo-caller, demo-outsider, admin
  env       .local/env sets ROLEBROKER_URL, ROLEBROKER_AUTH, ROLEBROKER_SERVER_ID, the
            profile files, and puts this checkout's rolebroker on PATH
            (to install it for good: npm install -g "./$(npm pack --silent)")

In another shell, get credentials for the demo audit role (copy and paste):

${stack.example}
rolebroker roles --profile demo-caller

Other seeded roles: ${ARNS.localTarget} (one hop), ${ARNS.deployTarget} (through a hub).
As demo-outsider the same command is denied (exit code 3).

Audit the seeded grants (one unsafe grant of each kind is there on purpose):

rolebroker audit --profile admin \\
  ${AUDIT_ROLES.map((r) => `--audit-role ${r}`).join(' ')}

Ctrl-C stops everything.
`);
