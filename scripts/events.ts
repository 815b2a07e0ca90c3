/**
 * API Gateway events as the broker's handlers receive them, for tests and the bench alike
 * (the bench drives the built handler with one).
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';

let counter = 0;

/** A REST API (v1) event as API Gateway sends it for an AWS_IAM-authorized call. */
export function restEvent(options: {
  method?: string;
  path?: string;
  body?: string | object | null;
  userArn?: string | null;
  headers?: Record<string, string>;
}): APIGatewayProxyEvent {
  counter += 1;
  const body =
    options.body === undefined || options.body === null
      ? null
      : typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  return {
    resource: options.path ?? '/credentials',
    path: options.path ?? '/credentials',
    httpMethod: options.method ?? 'POST',
    headers: { 'Content-Type': 'application/json', ...options.headers },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '111111111111',
      apiId: 'test',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: options.method ?? 'POST',
      path: `/test${options.path ?? '/credentials'}`,
      stage: 'test',
      requestId: `req-${counter}`,
      requestTimeEpoch: Date.now(),
      resourceId: 'r',
      resourcePath: options.path ?? '/credentials',
      identity: {
        userArn: options.userArn ?? null,
        caller: null,
        accountId: null,
        accessKey: null,
        apiKey: null,
        apiKeyId: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '127.0.0.1',
        user: null,
        userAgent: 'test',
      },
    },
  } as APIGatewayProxyEvent;
}
