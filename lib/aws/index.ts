export { createSsmClient, createStsClient, lambdaClientConfig } from './clients';
export { type AwsFailure, awsErrorName, classifyAwsError } from './errors';
