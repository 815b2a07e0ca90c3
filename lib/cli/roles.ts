import { type Command, Option } from 'commander';
import {
  authOption,
  type CommandContext,
  profileOption,
  serverIdOption,
  urlOption,
} from './command';
import type { RolesOptions } from './run/roles';

/** `rolebroker roles`: the caller asks which roles its grants give it. */
export function rolesCommand(program: Command, context: CommandContext): Command {
  return program
    .command('roles')
    .summary('list the roles the broker would give you')
    .description(
      'Lists the roles your grants allow (GET /roles), signing as the caller like credentials: grant, role ARN, maximum duration, scoped (the grant sets the session policy), chained (through hub roles) and, when a grant has one, its window (not before, not after).',
    )
    .usage('--url <url> [options]')
    .addOption(urlOption())
    .addOption(
      new Option('--format <format>', 'a table or the JSON body')
        .choices(['table', 'json'])
        .default('table'),
    )
    .addOption(authOption())
    .addOption(serverIdOption())
    .addOption(profileOption())
    .addHelpText('after', '\nexit codes: 0 ok, 2 usage, 3 denied (401/403), 4 any other failure')
    .action(async (options: RolesOptions) => {
      const { roles } = await import('./run/roles');
      context.exit(await roles(options, context.io));
    });
}
