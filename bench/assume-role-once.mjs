// The baseline of the CLI's miss path: a fresh Node process that loads the SDK's STS client,
// resolves credentials with its default chain (AWS_PROFILE from the profile files) and makes
// one AssumeRole, like `rolebroker credentials` without the broker in between.
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';

const sts = new STSClient({});
const out = await sts.send(
  new AssumeRoleCommand({ RoleArn: process.env.BENCH_ROLE_ARN, RoleSessionName: 'bench-bare' }),
);
if (!out.Credentials?.AccessKeyId) process.exitCode = 1;
