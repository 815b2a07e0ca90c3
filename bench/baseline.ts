import { AssumeRoleCommand, type AssumeRoleCommandInput, STSClient } from '@aws-sdk/client-sts';

const sts = new STSClient({});
const input = JSON.parse(process.env.BENCH_ASSUME_ROLE_INPUT ?? '{}') as AssumeRoleCommandInput;

/** The cold-start baseline: a Lambda handler that does nothing but one AssumeRole. */
export const handler = async () => {
  const out = await sts.send(new AssumeRoleCommand(input));
  return { statusCode: 200, body: JSON.stringify({ Credentials: out.Credentials }) };
};
