/** A broker's 200 body whose session has `minutesLeft` to go, as the CLI tests feed it. */
export function sessionAnswer(minutesLeft: number, accessKeyId: string) {
  return {
    Credentials: {
      AccessKeyId: accessKeyId,
      SecretAccessKey: 'secret',
      SessionToken: 'token',
      Expiration: new Date(Date.now() + minutesLeft * 60_000).toISOString(),
    },
    AssumedRoleUser: { AssumedRoleId: 'AROA:x', Arn: 'arn:aws:sts::222222222222:assumed-role/r/x' },
    Grant: 'g',
  };
}
