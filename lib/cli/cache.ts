import type { Command } from 'commander';
import { type CommandContext, UsageError } from './command';

/** `rolebroker cache clear`: a caller empties the CLI's cache of sessions. */
export function cacheCommand(program: Command, context: CommandContext): Command {
  const cache = program
    .command('cache')
    .summary("manage the CLI's cache of sessions")
    .description(
      '`rolebroker credentials` keeps the sessions it got in $XDG_CACHE_HOME/rolebroker (else ~/.cache/rolebroker), files readable by their owner only, and serves them while they have more than 16 minutes left.',
    )
    .usage('clear')
    .action(() => {
      throw new UsageError("missing subcommand: 'rolebroker cache clear'");
    });
  cache
    .command('clear')
    .summary('remove every cached session')
    .description(
      'Removes the cache directory and every session in it; the next `rolebroker credentials` asks the broker.',
    )
    .addHelpText('after', '\nexit codes: 0 ok, 4 the directory could not be removed')
    .action(async () => {
      const { clear } = await import('./run/cache');
      context.exit(clear(context.io));
    });
  return cache;
}
