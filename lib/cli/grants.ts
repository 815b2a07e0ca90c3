import { type Command, Option } from 'commander';
import {
  awsTimeoutOption,
  type CommandContext,
  EnvOption,
  prefixOption,
  profileOption,
  regionOption,
  roleArnArgument,
  UsageError,
} from './command';
import type { GrantStoreOptions, PutOptions } from './run/grants';
import type { ValidateOptions } from './run/grants-validate';

const EXIT_CODES =
  '\nexit codes: 0 ok, 1 refused (the grant is invalid, exists, or does not exist),\n' +
  '2 usage, 3 access denied, 4 any other failure';

/**
 * `rolebroker grants`: an operator validates and writes grants in SSM with their own
 * credentials (default chain or --profile), never through the broker.
 */
export function grantsCommand(program: Command, context: CommandContext): Command {
  const grants = program
    .command('grants')
    .summary('validate, write, list, disable and enable grants')
    .description(
      "Manages the grants in SSM with the operator's own credentials (default chain or --profile), not through the broker. Grants are checked with the broker's own schema before anything is written.",
    )
    .usage('<command> [options]')
    .addHelpText('after', EXIT_CODES);
  validateCommand(grants, context);
  putCommand(grants, context);
  listCommand(grants, context);
  switchCommand(grants, context, 'disable');
  switchCommand(grants, context, 'enable');
  // Without one of its commands, commander would print this help on stderr before main()
  // says so in one line with the usage (its subcommands keep the output they inherited).
  return grants.configureOutput({ ...grants.configureOutput(), writeErr: () => {} });
}

/** The flags of every command that reaches SSM. */
function storeOptions(command: Command): Command {
  return command
    .addOption(prefixOption())
    .addOption(regionOption())
    .addOption(profileOption())
    .addOption(awsTimeoutOption())
    .addHelpText('after', EXIT_CODES);
}

function validateCommand(grants: Command, context: CommandContext) {
  grants
    .command('validate')
    .summary("check grant files with the broker's schema, offline")
    .description(
      "Checks each FILE with the broker's grant schema and limits, offline, and lists every problem by field. The grant name is the file name without .json, or --name. Never prints an external ID.",
    )
    .argument('<file...>', 'grant JSON files')
    .option('--name <name>', 'the grant name (only with one FILE; default: the file name)')
    .addHelpText(
      'after',
      '\nexit codes: 0 every grant is valid, 1 a grant is invalid, 2 usage (an unreadable FILE)',
    )
    .action(async (files: string[], options: ValidateOptions) => {
      if (options.name !== undefined && files.length > 1) {
        throw new UsageError('--name needs exactly one FILE');
      }
      const { validate } = await import('./run/grants-validate');
      context.exit(validate(files, options, context.io));
    });
}

function putCommand(grants: Command, context: CommandContext) {
  storeOptions(
    grants
      .command('put')
      .summary('validate a grant file and write it to SSM')
      .description(
        'Validates FILE, then writes it as a SecureString at PREFIX/grants/NAME. Refuses to replace an existing grant without --overwrite, and writes nothing when the grant is invalid.',
      )
      .argument('<name>', 'the grant name')
      .argument('<file>', 'the grant JSON file')
      .option('--overwrite', 'replace the grant if it exists')
      .option(
        '--kms-key-id <id>',
        "KMS key of the parameter (default: the replaced grant's key, else SSM's aws/ssm)",
      )
      .option(
        '--generate-external-id',
        'add a random external ID and print the trust policy the role needs (stdout only)',
      )
      .addOption(
        new EnvOption(
          '--broker-role-arn <arn>',
          "the broker's execution role, for the printed trust policy",
          'ROLEBROKER_BROKER_ROLE_ARN',
        ).argParser(roleArnArgument('--broker-role-arn')),
      ),
  ).action(async (name: string, file: string, options: PutOptions) => {
    // The SSM client loads only for the commands that use it.
    const { put } = await import('./run/grants');
    context.exit(await put(name, file, options, context.io));
  });
}

function listCommand(grants: Command, context: CommandContext) {
  storeOptions(
    grants
      .command('list')
      .summary('list the grants in SSM, never their external IDs')
      .description(
        'Lists every grant under PREFIX: name, role, principals, flags (disabled, notBefore/notAfter, scoped: a session policy, policy ARNs or tags, via: hub roles, string: a plain String parameter) and last modified. Invalid grants are listed with the reason. Never prints an external ID.',
      )
      .addOption(
        new Option('--format <format>', 'a table or JSON')
          .choices(['table', 'json'])
          .default('table'),
      ),
  ).action(async (options: GrantStoreOptions & { format: 'table' | 'json' }) => {
    const { list } = await import('./run/grants');
    context.exit(await list(options, context.io));
  });
}

/** `grants disable NAME` / `grants enable NAME`: the kill switch of one grant. */
function switchCommand(grants: Command, context: CommandContext, verb: 'disable' | 'enable') {
  storeOptions(
    grants
      .command(verb)
      .summary(
        verb === 'disable'
          ? 'stop the broker issuing for a grant (the kill switch)'
          : 'let the broker issue for a disabled grant again',
      )
      .description(
        `${verb === 'disable' ? 'Sets' : 'Clears'} "disabled" in the grant, keeping the rest of it, its parameter type and its KMS key. Every broker instance follows within ROLEBROKER_GRANTS_TTL_SECONDS (default 60 s).`,
      )
      .argument('<name>', 'the grant name'),
  ).action(async (name: string, options: GrantStoreOptions) => {
    const { setDisabled } = await import('./run/grants');
    context.exit(await setDisabled(name, verb === 'disable', options, context.io));
  });
}
