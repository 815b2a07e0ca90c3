import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { requestCredentials } from '../../client';
import { type Partition, parseRoleArn } from '../../principals';
import { type CliIo, childEnv, EXIT } from '../command';
import { reportBrokerError } from './caller-error';

export interface ConsoleOptions {
  url: string;
  roleArn: string;
  grant?: string;
  duration?: number | 'max';
  destination?: string;
  print?: boolean;
  auth: 'iam' | 'sts';
  serverId?: string;
}

/** Replaces the partition's federation endpoint (tests: http only on a loopback host). */
export const FEDERATION_ENDPOINT_ENV = 'ROLEBROKER_FEDERATION_ENDPOINT';

/** Each partition's sign-in (federation) and console hosts. */
export const PARTITION_HOSTS: Record<Partition, { signin: string; console: string }> = {
  aws: { signin: 'signin.aws.amazon.com', console: 'console.aws.amazon.com' },
  'aws-cn': { signin: 'signin.amazonaws.cn', console: 'console.amazonaws.cn' },
  'aws-us-gov': { signin: 'signin.amazonaws-us-gov.com', console: 'console.amazonaws-us-gov.com' },
};

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The federation endpoint for `partition`, or the override; throws on an unusable override. */
export function federationEndpoint(partition: Partition, env: NodeJS.ProcessEnv): URL {
  const override = env[FEDERATION_ENDPOINT_ENV];
  if (!override) return new URL(`https://${PARTITION_HOSTS[partition].signin}/federation`);
  const url = URL.canParse(override) ? new URL(override) : undefined;
  if (
    !url ||
    !(url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname)))
  ) {
    throw new Error(
      `${FEDERATION_ENDPOINT_ENV} must be an https URL (http only on 127.0.0.1, localhost or [::1])`,
    );
  }
  return url;
}

/**
 * The sign-in token for a session: getSigninToken with the session's three keys and no
 * SessionDuration (AWS refuses it for role-chained sessions, and broker sessions always are).
 */
export async function getSigninToken(
  endpoint: URL,
  session: { sessionId: string; sessionKey: string; sessionToken: string },
): Promise<string> {
  const url = new URL(endpoint);
  url.search = '';
  url.searchParams.set('Action', 'getSigninToken');
  url.searchParams.set('Session', JSON.stringify(session));
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(15_000) });
  } catch {
    throw new Error(`the federation endpoint ${endpoint.origin} could not be reached`);
  }
  const text = await res.text();
  let token: unknown;
  try {
    token = (JSON.parse(text) as { SigninToken?: unknown }).SigninToken;
  } catch {
    token = undefined;
  }
  if (res.status !== 200 || typeof token !== 'string' || !token) {
    throw new Error(
      `the federation endpoint ${endpoint.origin} refused the session (HTTP ${res.status}${res.status === 200 ? ', no SigninToken' : ''})`,
    );
  }
  return token;
}

/** The console sign-in URL (Action=login) for a sign-in token. */
export function loginUrl(endpoint: URL, token: string, destination: string): string {
  const url = new URL(endpoint);
  url.search = '';
  url.searchParams.set('Action', 'login');
  url.searchParams.set('Issuer', 'rolebroker');
  url.searchParams.set('Destination', destination);
  url.searchParams.set('SigninToken', token);
  return url.toString();
}

/** `rolebroker console`: credentials from the broker, a sign-in token, then the browser or stdout. */
export async function consoleSignin(options: ConsoleOptions, io: CliIo): Promise<number> {
  const role = parseRoleArn(options.roleArn);
  if (!role) {
    io.stderr('rolebroker: --role-arn must be an IAM role ARN\n');
    return EXIT.usage;
  }
  const partition = role.partition as Partition;
  let endpoint: URL;
  try {
    endpoint = federationEndpoint(partition, io.env);
  } catch (error) {
    io.stderr(`rolebroker: ${(error as Error).message}\n`);
    return EXIT.usage;
  }
  let credentials: Awaited<ReturnType<typeof requestCredentials>>['Credentials'];
  try {
    ({ Credentials: credentials } = await requestCredentials({
      url: options.url,
      roleArn: options.roleArn,
      grant: options.grant,
      durationSeconds: options.duration,
      auth: options.auth,
      serverId: options.serverId,
    }));
  } catch (error) {
    return reportBrokerError(error, io, options.auth);
  }
  let url: string;
  try {
    const token = await getSigninToken(endpoint, {
      sessionId: credentials.AccessKeyId,
      sessionKey: credentials.SecretAccessKey,
      sessionToken: credentials.SessionToken,
    });
    const destination = options.destination ?? `https://${PARTITION_HOSTS[partition].console}/`;
    url = loginUrl(endpoint, token, destination);
  } catch (error) {
    io.stderr(`rolebroker: ${(error as Error).message}\n`);
    return EXIT.failed;
  }
  if (!options.print && (await openBrowser(url, io.env))) {
    io.stderr(
      `rolebroker: opened the console as ${options.roleArn} in a browser (session until ${credentials.Expiration})\n`,
    );
    return EXIT.ok;
  }
  io.stdout(`${url}\n`);
  return EXIT.ok;
}

function onPath(name: string, env: NodeJS.ProcessEnv): boolean {
  return (env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** $BROWSER, else the platform's opener where one can work: open, wslview, xdg-open. */
export function browserCommand(env: NodeJS.ProcessEnv, platform = process.platform) {
  const browser = env.BROWSER?.split(':')[0]?.trim();
  if (browser) return browser;
  if (platform === 'darwin') return 'open';
  if (platform !== 'linux') return undefined;
  if (env.WSL_DISTRO_NAME && onPath('wslview', env)) return 'wslview';
  if ((env.DISPLAY || env.WAYLAND_DISPLAY) && onPath('xdg-open', env)) return 'xdg-open';
  return undefined;
}

/** Starts the browser on `url` (no shell); false when there is none or it cannot start. */
function openBrowser(url: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  const command = browserCommand(env);
  if (!command) return Promise.resolve(false);
  return new Promise((resolve) => {
    const child = spawn(command, [url], { detached: true, stdio: 'ignore', env: childEnv(env) });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}
