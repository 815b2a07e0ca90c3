import { type CliIo, EXIT, type SessionRequestOptions } from '../command';
import { startCredentialServer } from './credential-server';
import {
  type RequestCredentials,
  refreshFailureLine,
  reportFailure,
  serverTiming,
  sessionFetcher,
} from './session-request';

export interface ServeOptions extends SessionRequestOptions {
  port: number;
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

const shellQuote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

/**
 * `rolebroker serve`: the container credentials endpoint on 127.0.0.1 until SIGINT, SIGTERM
 * or SIGHUP. Prints the two variables to export once it listens; exits 3/4 (nothing printed)
 * when the first broker request fails.
 */
export async function serve(
  options: ServeOptions,
  io: CliIo,
  request?: RequestCredentials,
): Promise<number> {
  let server: Awaited<ReturnType<typeof startCredentialServer>>;
  try {
    server = await startCredentialServer({
      fetch: sessionFetcher(options, request),
      port: options.port,
      timing: serverTiming(io.env),
      onRefreshError: (error, until) =>
        io.stderr(refreshFailureLine(error, until, io.env, options.auth)),
    });
  } catch (error) {
    return reportFailure(error, io, options.auth);
  }
  let onSignal = () => {};
  const stop = new Promise<void>((resolve) => (onSignal = resolve));
  const handler = () => onSignal();
  for (const signal of STOP_SIGNALS) process.on(signal, handler);
  io.stdout(
    `export AWS_CONTAINER_CREDENTIALS_FULL_URI=${shellQuote(server.url)}\n` +
      `export AWS_CONTAINER_AUTHORIZATION_TOKEN=${shellQuote(server.token)}\n`,
  );
  io.stderr(`rolebroker: serving ${options.roleArn} on ${server.url} until interrupted\n`);
  await stop;
  for (const signal of STOP_SIGNALS) process.off(signal, handler);
  await server.close();
  return EXIT.ok;
}
