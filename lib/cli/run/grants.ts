import {
  DescribeParametersCommand,
  GetParameterCommand,
  type ParameterMetadata,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { parseGrantParameter, readGrantParameters } from '../../grants';
import { partitionOf } from '../../principals';
import { type CliIo, EXIT, UsageError } from '../command';
import { awsFailure, missingProfile } from './caller-error';
import {
  formatGrantList,
  grantListing,
  invalidListing,
  newExternalId,
  rewriteJson,
  trustPolicy,
} from './grants-format';
import { checkGrantName, jsonObject, readGrantFile } from './grants-validate';
import { operatorClientConfig } from './operator-clients';

export interface GrantStoreOptions {
  prefix: string;
  region?: string;
  /** Per-attempt timeout of the SSM calls, seconds (--aws-timeout). */
  awsTimeout: number;
}

export interface PutOptions extends GrantStoreOptions {
  overwrite?: boolean;
  kmsKeyId?: string;
  generateExternalId?: boolean;
  brokerRoleArn?: string;
}

/** A refusal of the grant store (exit 1): the grant is invalid, exists, or is missing. */
class Refused extends Error {
  override name = 'Refused';
}

/** What the operator's credentials need, for the access-denied line. */
const NEEDS = {
  put: 'ssm:PutParameter and kms:Encrypt (with --overwrite also ssm:DescribeParameters, ssm:GetParameter and kms:Decrypt)',
  list: 'ssm:GetParametersByPath and kms:Decrypt',
  switch: 'ssm:GetParameter, ssm:DescribeParameters, ssm:PutParameter, kms:Decrypt and kms:Encrypt',
};

/**
 * Runs `work` with an SSM client for the operator (default chain or --profile, --region),
 * and turns failures into one line on stderr and the exit code. `secrets` (external IDs the
 * command has seen) never reach a line it prints.
 */
async function withSsm(
  command: string,
  options: GrantStoreOptions,
  io: CliIo,
  needs: string,
  work: (ssm: SSMClient, partition: ReturnType<typeof partitionOf>) => Promise<number>,
  secrets: string[] = [],
): Promise<number> {
  const ssm = new SSMClient({
    region: options.region,
    ...operatorClientConfig(options.awsTimeout),
  });
  const redact = (line: string) =>
    secrets.reduce((out, secret) => (secret ? out.split(secret).join('***') : out), line);
  try {
    return await work(ssm, partitionOf(await regionOf(ssm, io.env)));
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if (error instanceof Refused) {
      io.stderr(redact(`rolebroker: grants ${command} refused: ${error.message}\n`));
      return EXIT.refused;
    }
    const name = (error as Error).name;
    if (name === 'InvalidKeyId') {
      io.stderr(`rolebroker: grants ${command}: SSM refused --kms-key-id (InvalidKeyId)\n`);
      return EXIT.usage;
    }
    const failure = awsFailure(
      error,
      io.env,
      `the operator's credentials (--profile or the default chain) need ${needs} on the grants under ${options.prefix}`,
    );
    io.stderr(redact(`rolebroker: grants ${command} failed: ${failure.line}\n`));
    return failure.code;
  } finally {
    ssm.destroy();
  }
}

/** The client's region (--region, AWS_REGION or the profile's): the broker's partition. */
async function regionOf(ssm: SSMClient, env: NodeJS.ProcessEnv): Promise<string> {
  const missing = missingProfile(env);
  if (missing) throw new UsageError(missing);
  const region = await ssm.config.region().catch(() => undefined);
  if (!region) {
    throw new UsageError('no AWS region: pass --region, set AWS_REGION or give the profile one');
  }
  return region;
}

async function metadataOf(ssm: SSMClient, path: string): Promise<ParameterMetadata | undefined> {
  const { Parameters } = await ssm.send(
    new DescribeParametersCommand({
      ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: [path] }],
    }),
  );
  return Parameters?.find((p) => p.Name === path);
}

const pathOf = (options: GrantStoreOptions, name: string) => `${options.prefix}/grants/${name}`;

/** The external ID of the grant stored at `path`, if it has one. */
async function storedExternalId(ssm: SSMClient, path: string): Promise<string | undefined> {
  const stored = await ssm
    .send(new GetParameterCommand({ Name: path, WithDecryption: true }))
    .catch((error: Error) => {
      if (error.name === 'ParameterNotFound') return undefined;
      throw error;
    });
  const id = jsonObject(stored?.Parameter?.Value ?? '')?.externalId;
  return typeof id === 'string' ? id : undefined;
}

/** `text` with `externalId` added after `roleArn`. */
const withExternalId = (text: string, id: string) =>
  rewriteJson(text, (doc) => ({ roleArn: doc.roleArn, externalId: id, ...doc })) ?? text;

/**
 * `rolebroker grants put NAME FILE`: validates the file with the broker's schema (in the
 * region's partition), then writes it as a SecureString. Without --overwrite SSM itself
 * refuses an existing name (Overwrite=false), so two operators cannot race.
 */
export async function put(
  name: string,
  file: string,
  options: PutOptions,
  io: CliIo,
): Promise<number> {
  checkGrantName(name);
  // `.` and `..` read as path steps; the broker accepts them, the CLI does not create them.
  if (/^\.+$|\.\./.test(name)) throw new UsageError('NAME must not be . or contain ..');
  const text = readGrantFile(file);
  const given = jsonObject(text)?.externalId;
  if (options.generateExternalId && given !== undefined) {
    throw new UsageError(
      `--generate-external-id: ${file} already has an externalId; remove it or drop the flag`,
    );
  }
  const generated = options.generateExternalId ? newExternalId() : undefined;
  let value = generated ? withExternalId(text, generated) : text;
  const secrets = [typeof given === 'string' ? given : '', generated ?? ''];
  return withSsm(
    'put',
    options,
    io,
    NEEDS.put,
    async (ssm, partition) => {
      const check = () => {
        const parsed = parseGrantParameter({ name, type: 'SecureString', value }, partition);
        if (!parsed.ok) {
          const reasons = parsed.reasons.join('; ');
          throw new Refused(`grant ${name} is invalid, nothing written: ${reasons}`);
        }
        // Valid for the broker (which would just never match it), but never what is meant.
        if (parsed.grant.notAfter !== undefined && parsed.grant.notAfter <= Date.now()) {
          throw new Refused(`grant ${name}: notAfter is in the past, nothing written`);
        }
        return parsed.grant;
      };
      let grant = check();
      const path = pathOf(options, name);
      // A replaced grant keeps its key and tier unless told otherwise (a key the broker may
      // not decrypt with would fail every load of the grants), and its external ID when FILE
      // has none (a generated one was shown once, so the operator's file never holds it).
      const replaced = options.overwrite ? await metadataOf(ssm, path) : undefined;
      const keyId =
        options.kmsKeyId ?? (replaced?.Type === 'SecureString' ? replaced.KeyId : undefined);
      const kept =
        replaced && given === undefined && !generated
          ? await storedExternalId(ssm, path)
          : undefined;
      if (kept) {
        secrets.push(kept);
        value = withExternalId(value, kept);
        grant = check();
      }
      let version: number | undefined;
      try {
        ({ Version: version } = await ssm.send(
          new PutParameterCommand({
            Name: path,
            Value: value,
            Type: 'SecureString',
            KeyId: keyId,
            Tier: replaced?.Tier,
            Overwrite: options.overwrite === true,
          }),
        ));
      } catch (error) {
        if ((error as Error).name === 'ParameterAlreadyExists') {
          throw new Refused(`grant ${name} exists at ${path}: pass --overwrite to replace it`);
        }
        throw error;
      }
      const wrote =
        `wrote grant ${name}: ${path} (SecureString, KMS key ${keyId ?? 'alias/aws/ssm'}, ` +
        `version ${version ?? '?'}${kept ? ", the replaced grant's external ID kept" : ''})`;
      if (!generated) {
        io.stdout(`${wrote}\n`);
        return EXIT.ok;
      }
      const trust = trustPolicy(grant, generated, options.brokerRoleArn);
      io.stdout(`${trust.policy}\n`);
      const note = {
        broker: '',
        hub: " It trusts the last hub of via; the hub must trust the broker's role.",
        placeholder:
          " The broker's role ARN is unknown (--broker-role-arn or ROLEBROKER_BROKER_ROLE_ARN): replace the placeholder.",
      }[trust.principal];
      io.stderr(
        `rolebroker: ${wrote}. stdout is the trust policy ${grant.roleArn} needs, with the grant's new external ID, shown only now.${note}\n`,
      );
      return EXIT.ok;
    },
    secrets,
  );
}

/** `rolebroker grants list`: every grant under the prefix, valid or not, without secrets. */
export async function list(
  options: GrantStoreOptions & { format: 'table' | 'json' },
  io: CliIo,
): Promise<number> {
  return withSsm('list', options, io, NEEDS.list, async (ssm, partition) => {
    const parameters = await readGrantParameters(ssm, options.prefix);
    const listings = parameters
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((parameter) => {
        const parsed = parseGrantParameter(parameter, partition);
        return parsed.ok
          ? grantListing(parsed.grant, parameter)
          : invalidListing(parameter, parsed.reasons);
      });
    io.stdout(`${formatGrantList(options.prefix, listings, options.format)}\n`);
    return EXIT.ok;
  });
}

/**
 * `rolebroker grants disable|enable NAME`: sets or clears `disabled`, keeping the rest of the
 * grant, its parameter type, KMS key and tier. Disabling works on an invalid grant too (the
 * kill switch never waits for a fix); enabling refuses one, which the broker would skip.
 */
export async function setDisabled(
  name: string,
  disabled: boolean,
  options: GrantStoreOptions,
  io: CliIo,
): Promise<number> {
  checkGrantName(name);
  const verb = disabled ? 'disable' : 'enable';
  const secrets: string[] = [];
  return withSsm(
    verb,
    options,
    io,
    NEEDS.switch,
    async (ssm, partition) => {
      const path = pathOf(options, name);
      const stored = await ssm
        .send(new GetParameterCommand({ Name: path, WithDecryption: true }))
        .catch((error: Error) => {
          if (error.name === 'ParameterNotFound') throw new Refused(`no grant ${name} at ${path}`);
          throw error;
        });
      const type = stored.Parameter?.Type ?? '';
      const text = stored.Parameter?.Value ?? '';
      const given = jsonObject(text)?.externalId;
      if (typeof given === 'string') secrets.push(given);
      const current = jsonObject(text)?.disabled === true;
      const value = rewriteJson(text, (doc) => {
        const { disabled: _old, ...rest } = doc;
        // Kept in place when present, added at the end otherwise; enabling removes it.
        return disabled
          ? 'disabled' in doc
            ? { ...doc, disabled: true }
            : { ...rest, disabled: true }
          : rest;
      });
      if (value === undefined) {
        throw new Refused(
          `grant ${name} is not a JSON object: replace it with grants put --overwrite`,
        );
      }
      const after = parseGrantParameter({ name, type, value }, partition);
      if (!disabled && !after.ok) {
        throw new Refused(`grant ${name} is invalid, nothing written: ${after.reasons.join('; ')}`);
      }
      if (current === disabled) {
        io.stdout(`grant ${name} is already ${verb}d: nothing written\n`);
        return EXIT.ok;
      }
      const meta = await metadataOf(ssm, path);
      const { Version } = await ssm.send(
        new PutParameterCommand({
          Name: path,
          Value: value,
          Type: stored.Parameter?.Type,
          KeyId: type === 'SecureString' ? meta?.KeyId : undefined,
          Tier: meta?.Tier,
          Description: meta?.Description,
          AllowedPattern: meta?.AllowedPattern,
          DataType: meta?.DataType,
          Overwrite: true,
        }),
      );
      const effect = disabled
        ? 'the broker refuses it within ROLEBROKER_GRANTS_TTL_SECONDS (default 60 s)'
        : 'the broker serves it again within ROLEBROKER_GRANTS_TTL_SECONDS (default 60 s)';
      const invalid = after.ok
        ? ''
        : ` (it is invalid, so the broker skips it anyway: ${after.reason})`;
      io.stdout(`${verb}d grant ${name} (version ${Version ?? '?'}): ${effect}${invalid}\n`);
      return EXIT.ok;
    },
    secrets,
  );
}
