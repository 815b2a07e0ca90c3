import { GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, type AssumeRoleCommandInput, STSClient } from '@aws-sdk/client-sts';

const ssm = new SSMClient({});
const sts = new STSClient({});
const grantsPath = process.env.BENCH_GRANTS_PATH ?? '';
const hubRoleArn = process.env.BENCH_HUB_ROLE_ARN ?? '';
const input = JSON.parse(process.env.BENCH_ASSUME_ROLE_INPUT ?? '{}') as AssumeRoleCommandInput;

/**
 * The cold path's second reference: the SDK alone making the calls the broker makes for a
 * grant with one hub (read the grants, assume the hub, assume the target with the hub's
 * session), with no broker code between them. Broker minus this is what the broker's own work
 * costs; this minus the one-AssumeRole baseline is what the three calls cost.
 */
export const handler = async () => {
  const grants = await ssm.send(
    new GetParametersByPathCommand({
      Path: grantsPath,
      Recursive: true,
      WithDecryption: true,
      MaxResults: 10,
    }),
  );
  if (!grants.Parameters?.length) throw new Error(`no parameters under ${grantsPath}`);
  const hub = await sts.send(
    new AssumeRoleCommand({
      RoleArn: hubRoleArn,
      RoleSessionName: 'rolebroker-hub',
      DurationSeconds: 3600,
    }),
  );
  const c = hub.Credentials;
  const viaHub = new STSClient({
    credentials: {
      accessKeyId: c?.AccessKeyId ?? '',
      secretAccessKey: c?.SecretAccessKey ?? '',
      sessionToken: c?.SessionToken ?? '',
    },
  });
  const out = await viaHub.send(new AssumeRoleCommand(input));
  return { statusCode: 200, body: JSON.stringify({ Credentials: out.Credentials }) };
};
