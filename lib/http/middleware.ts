import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy, { type MiddlewareObj, type Request } from '@middy/core';
import type { APIGatewayProxyResult, Context } from 'aws-lambda';
import { awsErrorName } from '../aws';
import { BrokerError, Unauthenticated, Unavailable } from '../errors';
import { countError } from '../observability';
import { errorResponse } from './response';

/** Time kept back from the Lambda timeout to answer, log and flush metrics. */
const TIMEOUT_MARGIN_MS = 500;

type HttpEvent = { requestContext?: { requestId?: string } };
type HttpRequest = Request<HttpEvent, APIGatewayProxyResult, Error, Context>;

/** API Gateway's request id when there is one (what callers see), else Lambda's. */
export function requestIdOf(event: HttpEvent, context: Context): string {
  return event?.requestContext?.requestId ?? context.awsRequestId;
}

interface ContractOptions {
  logger: Logger;
  metrics: Metrics;
}

/** middy middleware: tags logs with the request id and turns every error into the contract's JSON body. */
function httpContract(options: ContractOptions): MiddlewareObj<HttpEvent, APIGatewayProxyResult> {
  const { logger, metrics } = options;

  const httpContractBefore = (request: HttpRequest) => {
    logger.appendKeys({ requestId: requestIdOf(request.event, request.context) });
  };

  const httpContractOnError = (request: HttpRequest) => {
    const error = request.error;
    const response = errorResponse(error, requestIdOf(request.event, request.context));
    if (error instanceof BrokerError) {
      const fields = { status: error.statusCode, code: error.code };
      if (error.statusCode >= 500) {
        logger.warn('request failed upstream', { ...fields, cause: awsErrorName(error.cause) });
      } else {
        // `rule` is the machine-readable reason of a 401 (lib/auth/reasons.ts).
        const rule = error instanceof Unauthenticated ? { rule: error.reason } : {};
        logger.info('request refused', { ...fields, reason: error.message, ...rule });
      }
      countError(metrics, error.code);
    } else {
      // Unknown errors are bugs: log where, not what (a message could quote input).
      const stack = error?.stack?.split('\n').slice(1, 6).join('\n');
      logger.error('unhandled error', { errorName: error?.name ?? 'unknown', stack });
      countError(metrics, 'InternalError');
    }
    request.response = response;
  };

  return { before: httpContractBefore, onError: httpContractOnError };
}

/**
 * Wraps a handler with Powertools logging and metrics and the contract's error mapping.
 * The handler may throw BrokerErrors freely; they become 4xx/5xx JSON responses.
 */
export function withHttp<E extends HttpEvent>(
  handler: (event: E, context: Context) => Promise<APIGatewayProxyResult>,
  options: ContractOptions,
) {
  return middy<E, APIGatewayProxyResult>(handler, {
    // Answer before Lambda's own timeout cuts the response (and the log line) off.
    timeoutEarlyInMillis: TIMEOUT_MARGIN_MS,
    timeoutEarlyResponse: () => {
      throw new Unavailable('the broker ran out of time waiting for AWS; retry later');
    },
  })
    .use(injectLambdaContext(options.logger, { resetKeys: true }))
    .use(logMetrics(options.metrics))
    .use(httpContract(options) as MiddlewareObj<E, APIGatewayProxyResult>);
}
