import type { Context } from 'aws-lambda';

let invocation = 0;

/** A Lambda context good enough for middy and Powertools. */
export function lambdaContext(): Context {
  invocation += 1;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'rolebroker-test-credentials',
    functionVersion: '$LATEST',
    invokedFunctionArn:
      'arn:aws:lambda:us-east-1:111111111111:function:rolebroker-test-credentials',
    memoryLimitInMB: '256',
    awsRequestId: `lambda-${invocation}`,
    logGroupName: '/aws/lambda/rolebroker-test-credentials',
    logStreamName: 'test',
    getRemainingTimeInMillis: () => 20_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
