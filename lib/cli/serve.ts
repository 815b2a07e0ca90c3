import type { Command } from 'commander';
import {
  authOption,
  type CommandContext,
  durationOption,
  grantOption,
  profileOption,
  roleArnOption,
  serverIdOption,
  sessionPolicyOption,
  UsageError,
  urlOption,
} from './command';
import type { RequestCredentials } from './run/credentials';
import type { ServeOptions } from './run/serve';

/** `rolebroker serve`: the AWS SDKs' container credentials endpoint for a role, on 127.0.0.1. */
export function serveCommand(
  program: Command,
  context: CommandContext,
  request?: RequestCredentials,
): Command {
  return program
    .command('serve')
    .summary("serve a role's credentials to AWS SDKs on 127.0.0.1")
    .description(
      "Serves the role's credentials as the AWS SDKs' container credentials endpoint on 127.0.0.1, refreshed before they expire, until SIGINT or SIGTERM. Once listening it prints AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN as export lines (a new random token each run).",
    )
    .usage('--url <url> --role-arn <arn> [options]')
    .addOption(urlOption())
    .addOption(roleArnOption('the role to serve credentials for'))
    .option('--port <port>', 'port on 127.0.0.1; 0 picks a free one', parsePort, 0)
    .addOption(grantOption())
    .addOption(durationOption(true))
    .addOption(sessionPolicyOption())
    .addOption(authOption())
    .addOption(serverIdOption())
    .addOption(profileOption())
    .addHelpText(
      'after',
      '\nexit codes: 0 stopped by a signal, 2 usage, 3 denied (401/403), 4 any other failure',
    )
    .action(async (options: ServeOptions) => {
      const { serve } = await import('./run/serve');
      context.exit(await serve(options, context.io, request));
    });
}

function parsePort(value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) {
    throw new UsageError('--port must be a port number (0-65535)');
  }
  return Number(value);
}
