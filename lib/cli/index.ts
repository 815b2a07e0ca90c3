import { Command, CommanderError } from 'commander';
import { version } from '../../package.json';
import { auditCommand } from './audit';
import { cacheCommand } from './cache';
import {
  type CliIo,
  type CommandContext,
  completeOptions,
  EXIT,
  RESOLVING_CALLER_ENV,
  SELF_CALL_MESSAGE,
  UsageError,
} from './command';
import { consoleCommand } from './console';
import { credentialsCommand } from './credentials';
import { execCommand } from './exec';
import { grantsCommand } from './grants';
import { revokeCommand } from './revoke';
import { rolesCommand } from './roles';
import type { RequestCredentials } from './run/credentials';
import { serveCommand } from './serve';

export { type CliIo, EXIT } from './command';

/** Help wraps at this width whatever the terminal, so tests see what users see. */
const HELP_WIDTH = 80;

/**
 * Runs `rolebroker ARGV`; returns the exit code. Output goes only through `io`; `request`
 * replaces the broker request in tests.
 */
export async function main(
  argv: string[],
  io: CliIo,
  request?: RequestCredentials,
): Promise<number> {
  let code: number = EXIT.ok;
  const context: CommandContext = {
    io,
    argv,
    exit: (c) => {
      code = c;
    },
  };
  const program = buildProgram(context, request);
  // The command being parsed, for the usage line of an error.
  let current: Command = program;
  for (const parent of [program, ...program.commands.filter((c) => c.commands.length)]) {
    parent.hook('preSubcommand', (_parent, command) => {
      current = command;
    });
  }
  if (argv.length === 0) {
    io.stderr('rolebroker: missing command\n');
    program.outputHelp({ error: true });
    return EXIT.usage;
  }
  // The credential_process marker lives only while this run resolves credentials: a later
  // main() in the same process (tests, a long-lived caller) starts from what it inherited.
  const inherited = io.env[RESOLVING_CALLER_ENV];
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (error) {
    // --help and --version end the parse with exit code 0, their text already printed.
    if (error instanceof CommanderError && error.exitCode === 0) return EXIT.ok;
    if (error instanceof CommanderError || error instanceof UsageError) {
      const name = `rolebroker${pathOf(current)}`;
      io.stderr(
        `rolebroker: ${usageMessage(error, current, program)}\n` +
          `usage: ${current.createHelp().commandUsage(current)}\n` +
          `Run '${name} --help' for ${current === program ? 'the commands' : 'its options'}.\n`,
      );
      return EXIT.usage;
    }
    io.stderr(`rolebroker: ${(error as Error).message}\n`);
    return EXIT.failed;
  } finally {
    if (inherited === undefined) delete io.env[RESOLVING_CALLER_ENV];
    else io.env[RESOLVING_CALLER_ENV] = inherited;
  }
}

function buildProgram(context: CommandContext, request: RequestCredentials | undefined) {
  const { io } = context;
  // Settings made before .command() are inherited by every command.
  const program = new Command('rolebroker')
    .description('Client of the rolebroker credential broker.')
    .version(version, '-V, --version', 'print the version')
    .configureOutput({
      writeOut: (text) => io.stdout(text),
      writeErr: (text) => io.stderr(text),
      // main() reports errors itself: one line, then the command's usage.
      outputError: () => {},
      getOutHelpWidth: () => HELP_WIDTH,
      getErrHelpWidth: () => HELP_WIDTH,
      getOutHasColors: () => false,
      getErrHasColors: () => false,
    })
    .configureHelp({ styleTitle: (title) => title.toLowerCase() })
    .exitOverride()
    .addHelpText(
      'after',
      '\nexit codes: 0 ok, 1 audit findings at or above --fail-on or a grants refusal,\n' +
        "2 usage, 3 denied (401/403), 4 any other failure; exec: its command's status",
    );
  credentialsCommand(program, context, request);
  execCommand(program, context, request);
  serveCommand(program, context, request);
  rolesCommand(program, context);
  consoleCommand(program, context);
  auditCommand(program, context);
  revokeCommand(program, context);
  cacheCommand(program, context);
  grantsCommand(program, context);
  program
    .command('help [command]')
    .description('show the help of rolebroker or of a command')
    .action((name: string | undefined) => {
      const command =
        name === undefined ? program : program.commands.find((c) => c.name() === name);
      if (!command) throw new UsageError(`unknown command '${name}'`);
      command.outputHelp();
    });
  // Hooks go on the commands that run (a parent's hooks would run for its subcommands too).
  for (const command of leaves(program)) {
    completeOptions(command, io.env);
    command.hook('preAction', () => {
      // The SDK reads a profile's region and endpoint_url only through AWS_PROFILE.
      const { profile } = command.opts<{ profile?: string }>();
      if (profile) io.env.AWS_PROFILE = profile;
      if (command.name() === 'help') return;
      // Every other command resolves AWS credentials: refuse to be a credential_process
      // that resolves its own profile again, and mark the profile for one that would.
      const resolving = io.env.AWS_PROFILE || 'default';
      if (io.env[RESOLVING_CALLER_ENV] === resolving) throw new UsageError(SELF_CALL_MESSAGE);
      io.env[RESOLVING_CALLER_ENV] = resolving;
    });
  }
  return program;
}

/** The commands that run: `program`'s, with a parent's (`grants`) replaced by its own. */
function leaves(program: Command): Command[] {
  return program.commands.flatMap((c) => (c.commands.length ? c.commands : [c]));
}

/** ` grants put` for `rolebroker grants put`; '' for the program. */
function pathOf(command: Command): string {
  return command.parent ? `${pathOf(command.parent)} ${command.name()}` : '';
}

/** One line naming the flag: ours, or commander's with the commands a misplaced flag is for. */
function usageMessage(error: CommanderError | UsageError, command: Command, program: Command) {
  if (error instanceof UsageError) return error.message;
  // commander ends a parent command (`grants`) given none of its commands with this code.
  if (error.code === 'commander.help') {
    return `missing command: one of ${command.commands.map((c) => c.name()).join(', ')}`;
  }
  const message = error.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ');
  if (error.code !== 'commander.unknownOption') return message;
  const flag = /'(--[^'=]+)/.exec(message)?.[1];
  const owners = leaves(program)
    .filter((c) => c !== command && c.options.some((o) => o.long === flag))
    .map((c) => pathOf(c).slice(1));
  if (!owners.length) return message;
  const names =
    owners.length > 1 ? `${owners.slice(0, -1).join(', ')} and ${owners.at(-1)}` : owners[0];
  const of = `${flag} is an option of ${names}`;
  return command === program
    ? `${of}: put it after the command`
    : `${of}, not ${pathOf(command).slice(1)}`;
}
