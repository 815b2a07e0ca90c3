import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { BrokerRequestError } from '../../client';
import { type CliIo, EXIT, SELF_CALL_MESSAGE } from '../command';

/** One line for stderr and the exit code. */
export interface Failure {
  line: string;
  code: number;
}

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ').trim();

/**
 * What a failed broker request means for the user, with what to do about it where the
 * answer shows it: the wrong --auth, an unknown profile, a credential_process that calls
 * the CLI again. Everything else is the broker's code and message with its request id.
 */
export function brokerFailure(
  error: unknown,
  env: NodeJS.ProcessEnv,
  auth: 'iam' | 'sts',
): Failure {
  if (!(error instanceof BrokerRequestError)) {
    return { line: oneLine((error as Error).message), code: EXIT.failed };
  }
  const id = error.requestId ? ` (request id ${error.requestId})` : '';
  if (error.code === 'CallerCredentials') {
    if (error.message.includes(SELF_CALL_MESSAGE) || callsItself(env)) {
      return { line: SELF_CALL_MESSAGE, code: EXIT.usage };
    }
    const missing = missingProfile(env);
    if (missing) return { line: missing, code: EXIT.usage };
  }
  if (
    error.status === 401 &&
    auth === 'iam' &&
    /missing X-RoleBroker-Identity header/.test(error.message)
  ) {
    return {
      line: `the broker runs in sts mode: pass --auth sts or set ROLEBROKER_AUTH=sts (401 ${error.code}${id})`,
      code: EXIT.denied,
    };
  }
  if (
    error.status === 403 &&
    auth === 'sts' &&
    /Missing Authentication Token/i.test(error.message)
  ) {
    return {
      line: `the broker runs in iam mode (API Gateway wants a SigV4 signature): pass --auth iam or set ROLEBROKER_AUTH=iam (403 ${error.code}${id})`,
      code: EXIT.denied,
    };
  }
  const where = error.status ? `${error.status} ${error.code}` : error.code;
  const code =
    error.code === 'Usage'
      ? EXIT.usage
      : error.status === 401 || error.status === 403
        ? EXIT.denied
        : EXIT.failed;
  return { line: `${where}: ${oneLine(error.message)}${id}`, code };
}

/** Prints brokerFailure's line and returns its exit code. */
export function reportBrokerError(error: unknown, io: CliIo, auth: 'iam' | 'sts'): number {
  const failure = brokerFailure(error, io.env, auth);
  io.stderr(`rolebroker: ${failure.line}\n`);
  return failure.code;
}

/**
 * An AWS SDK call the operator's own credentials made (SSM in `audit`, IAM in `revoke`):
 * AccessDenied as one line, whatever the body (moto answers JSON services' refusals in XML,
 * which the SDK reports as a SyntaxError with the 403 in $metadata).
 */
export function awsFailure(error: unknown, env: NodeJS.ProcessEnv, needs: string): Failure {
  const e = error as Error & { $metadata?: { httpStatusCode?: number; requestId?: string } };
  const status = e.$metadata?.httpStatusCode;
  const rid = e.$metadata?.requestId;
  const denied =
    status === 403 || /^(AccessDenied|AccessDeniedException|UnauthorizedOperation)$/.test(e.name);
  if (denied) {
    return {
      line: `access denied (HTTP 403${rid ? `, request id ${rid}` : ''}): ${needs}`,
      code: EXIT.denied,
    };
  }
  if (status === undefined && (e.message.includes(SELF_CALL_MESSAGE) || callsItself(env))) {
    return { line: SELF_CALL_MESSAGE, code: EXIT.usage };
  }
  if (status === undefined) {
    const missing = missingProfile(env);
    if (missing) return { line: missing, code: EXIT.usage };
  }
  // The SDK's HTTP handler giving up on an attempt (--aws-timeout), after its retries.
  if (e.name === 'TimeoutError' && e.message.startsWith('@smithy/node-http-handler')) {
    return {
      line: 'TimeoutError: AWS did not answer within --aws-timeout in 3 attempts; check the network and the endpoint (AWS_ENDPOINT_URL*), or raise --aws-timeout',
      code: EXIT.failed,
    };
  }
  if (e.name === 'SyntaxError' && status !== undefined) {
    return {
      line: `AWS answered HTTP ${status} with a body the SDK could not read${rid ? ` (request id ${rid})` : ''}`,
      code: EXIT.failed,
    };
  }
  return { line: `${e.name}: ${oneLine(e.message)}`, code: EXIT.failed };
}

/** The shared config files (the SDK's defaults when the variables are unset). */
function sharedFiles(env: NodeJS.ProcessEnv) {
  return {
    config: env.AWS_CONFIG_FILE ?? join(homedir(), '.aws', 'config'),
    credentials: env.AWS_SHARED_CREDENTIALS_FILE ?? join(homedir(), '.aws', 'credentials'),
  };
}

/**
 * The profile being resolved (AWS_PROFILE) has a credential_process that runs rolebroker
 * without --profile: the SDK's chain hides the refused inner run behind "Could not load
 * credentials from any providers", so name the cause from the config file.
 */
export function callsItself(env: NodeJS.ProcessEnv): boolean {
  const name = env.AWS_PROFILE || 'default';
  let text: string;
  try {
    text = readFileSync(sharedFiles(env).config, 'utf8');
  } catch {
    return false;
  }
  let inSection = false;
  for (const line of text.split(/\r?\n/)) {
    const header = /^\s*\[\s*(?:profile\s+)?([^\]]+?)\s*\]/.exec(line);
    if (header) {
      inSection = header[1] === name;
      continue;
    }
    const process = inSection ? /^\s*credential_process\s*=\s*(.*)$/.exec(line)?.[1] : undefined;
    if (process && /rolebroker/.test(process) && !/\s--profile(\s|=)/.test(process)) return true;
  }
  return false;
}

/**
 * "profile NAME is not in ..." when AWS_PROFILE (what --profile sets) names a profile that
 * neither shared file has; undefined when there is no such profile problem.
 */
export function missingProfile(env: NodeJS.ProcessEnv): string | undefined {
  const name = env.AWS_PROFILE;
  if (!name) return undefined;
  const { config, credentials } = sharedFiles(env);
  const sections = (file: string) => {
    try {
      return [
        ...readFileSync(file, 'utf8').matchAll(/^\s*\[\s*(?:profile\s+)?([^\]]+?)\s*\]/gm),
      ].map((m) => m[1]);
    } catch {
      return [];
    }
  };
  if (sections(config).includes(name) || sections(credentials).includes(name)) return undefined;
  return `profile ${name} is not in AWS_CONFIG_FILE (${config}) or AWS_SHARED_CREDENTIALS_FILE (${credentials})`;
}
