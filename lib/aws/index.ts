export { createSsmClient, createStsClient } from './clients';
export { type AwsFailure, awsErrorName, classifyAwsError } from './errors';
