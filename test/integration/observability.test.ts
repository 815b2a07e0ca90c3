/**
 * The stack's access log, alarms and dashboard (scripts/sls/observability.yml) against what
 * the code emits: the packaged template is built here (`serverless package`, twice: with the
 * default params and with an existing topic), its alarms and dashboard are checked against
 * lib/observability.ts METRICS, and the real handlers run against moto with metrics on, their
 * EMF output captured from stdout, must emit exactly the namespace, names and dimension sets
 * the alarms watch. CloudWatch matches a metric by its whole dimension set: an alarm naming
 * one dimension fewer or more than the code emits never fires.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { parse } from 'yaml';
import { ERROR_CODES, type ErrorCode } from '../../lib/contract';
import { METRICS, type MetricName, SEVERITIES } from '../../lib/observability';
import { ensureVenv } from '../../scripts/emulator';
import { restEvent } from '../../scripts/events';
import { type FaultProxy, startFaultProxy } from '../../scripts/relay';
import { ARNS, EXTERNAL_IDS, type SeededWorld, seedDemo } from '../../scripts/seed';
import { loadBroker, restoreEnv } from '../support/broker';
import { lambdaContext } from '../support/events';
import {
  evaluate,
  isCreated,
  packageTemplate,
  type Resource,
  resourcesOfType,
  type Template,
} from '../support/template';

const endpoint = inject('motoEndpoint');
const EXISTING_TOPIC = 'arn:aws:sns:eu-west-1:123456789012:ops-alarms';
const SLS_PARAMS = parse(readFileSync(new URL('../../serverless.yml', import.meta.url), 'utf8'))
  .params.default as Record<string, unknown>;

let template: Template;
/** Packaged with an existing topic, the account role left alone and one threshold changed. */
let existing: Template;

beforeAll(async () => {
  template = await packageTemplate();
  existing = await packageTemplate({
    alarmTopicArn: EXISTING_TOPIC,
    apiGatewayCloudWatchRole: 'existing',
    alarmThrottled: '7',
    accessLogRetentionDays: '365',
  });
}, 180_000);

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation and EMF are free-form JSON; the assertions check their shape.
type Json = any;
const props = (r: Resource | undefined) => (r?.Properties ?? {}) as Record<string, Json>;
const functionIds = () => Object.keys(resourcesOfType(template, 'AWS::Lambda::Function')).sort();
/** What every function's environment sets for Powertools (the same for all of them). */
function powertoolsEnv(t: Template) {
  const envs = Object.values(resourcesOfType(t, 'AWS::Lambda::Function')).map((f) => {
    const vars = props(f).Environment.Variables;
    return { namespace: vars.POWERTOOLS_METRICS_NAMESPACE, service: vars.POWERTOOLS_SERVICE_NAME };
  });
  expect(new Set(envs.map((e) => JSON.stringify(e))).size).toBe(1);
  return envs[0] as { namespace: string; service: string };
}
const apiName = () => props(template.Resources.ApiGatewayRestApi).Name as string;
const stageName = () => props(template.Resources.ApiGatewayStage).StageName as string;

/** One CloudWatch metric: namespace, name and the whole dimension set (name → value). */
interface MetricId {
  namespace: string;
  name: string;
  dimensions: Record<string, unknown>;
}
const key = (m: MetricId) =>
  JSON.stringify([
    m.namespace,
    m.name,
    Object.entries(m.dimensions).sort(([a], [b]) => a.localeCompare(b)),
  ]);

/** Every metric an alarm reads: its own, or each MetricStat of its metric math. */
function alarmMetrics(alarm: Resource): MetricId[] {
  const p = props(alarm);
  const toId = (namespace: string, name: string, dims: { Name: string; Value: unknown }[]) => ({
    namespace,
    name,
    dimensions: Object.fromEntries(dims.map((d) => [d.Name, d.Value])),
  });
  if (p.MetricName) return [toId(p.Namespace, p.MetricName, p.Dimensions ?? [])];
  return (p.Metrics as Json[])
    .filter((m) => m.MetricStat)
    .map((m) =>
      toId(
        m.MetricStat.Metric.Namespace,
        m.MetricStat.Metric.MetricName,
        m.MetricStat.Metric.Dimensions,
      ),
    );
}

/** The broker's own metrics (namespace RoleBroker) must be a name and dimension set it emits. */
function expectEmittedShape(m: MetricId, t: Template = template) {
  const { namespace, service } = powertoolsEnv(t);
  expect(m.namespace).toBe(namespace);
  expect(Object.keys(METRICS)).toContain(m.name);
  const extra = METRICS[m.name as MetricName] as readonly string[];
  expect(Object.keys(m.dimensions).sort()).toEqual(['service', ...extra].sort());
  expect(m.dimensions.service).toBe(service);
  if ('Code' in m.dimensions) expect(ERROR_CODES).toContain(m.dimensions.Code);
  if ('Severity' in m.dimensions) expect(SEVERITIES).toContain(m.dimensions.Severity);
}

describe('the template with non-default params', () => {
  let cfnLint = '';
  // The test set (requirements/test.txt), installed on first use.
  beforeAll(async () => {
    cfnLint = join(await ensureVenv('test'), 'bin/cfn-lint');
  });

  // CI lints the default template; this one takes its values from the command line, as strings.
  it('passes cfn-lint in a region of every partition', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rolebroker-lint-'));
    try {
      const file = join(dir, 'template.json');
      writeFileSync(file, JSON.stringify(existing));
      const regions = ['eu-west-1', 'us-east-1', 'cn-north-1', 'us-gov-west-1'];
      const lint = promisify(execFile)(cfnLint, ['--regions', ...regions, '--', file]);
      await expect(lint).resolves.toMatchObject({ stdout: '' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('the scheduled audit', () => {
  it("is told the broker's role, the one every function runs as", () => {
    const audit = props(resourcesOfType(template, 'AWS::Lambda::Function').AuditLambdaFunction);
    const role = { 'Fn::GetAtt': ['IamRoleLambdaExecution', 'Arn'] };
    expect(audit.Role).toEqual(role);
    expect(audit.Environment.Variables.ROLEBROKER_BROKER_ROLE_ARN).toEqual(role);
    for (const f of Object.values(resourcesOfType(template, 'AWS::Lambda::Function'))) {
      expect(props(f).Role).toEqual(role);
    }
  });
});

describe('access log', () => {
  const setting = () => props(template.Resources.ApiGatewayStage).AccessLogSetting;

  it('goes from the stage to its own log group, kept for accessLogRetentionDays', () => {
    expect(setting().DestinationArn).toEqual({ 'Fn::GetAtt': ['AccessLogGroup', 'Arn'] });
    const group = template.Resources.AccessLogGroup;
    expect(group?.Type).toBe('AWS::Logs::LogGroup');
    expect(evaluate(template, props(group).RetentionInDays)).toBe('90');
    expect(SLS_PARAMS.accessLogRetentionDays).toBe('90');
    expect(template.Parameters.AccessLogRetentionDays?.AllowedValues).toContain('90');
    expect(evaluate(existing, props(existing.Resources.AccessLogGroup).RetentionInDays)).toBe(
      '365',
    );
    // osls deletes /aws/api-gateway/<service>-<stage> after a deploy without provider.logs.restApi.
    expect(props(group).LogGroupName).toBe('/rolebroker/ci/api-access');
  });

  it('is one JSON object per request with exactly the documented fields', () => {
    const format = setting().Format as string;
    const sample = JSON.parse(format.replace(/\$context\.[A-Za-z.]+/g, '-'));
    expect(Object.keys(sample)).toEqual([
      'requestId',
      'extendedRequestId',
      'requestTime',
      'requestTimeEpoch',
      'httpMethod',
      'resourcePath',
      'status',
      'responseType',
      'responseLength',
      'integrationLatency',
      'responseLatency',
      'caller',
      'userArn',
      'accountId',
      'sourceIp',
    ]);
    // Every value is quoted ("-" when API Gateway has none) and is one $context variable.
    const fields = JSON.parse(format) as Record<string, string>;
    expect(fields).toMatchObject({
      requestId: '$context.requestId',
      extendedRequestId: '$context.extendedRequestId',
      resourcePath: '$context.resourcePath',
      httpMethod: '$context.httpMethod',
      status: '$context.status',
      integrationLatency: '$context.integrationLatency',
      responseLatency: '$context.responseLatency',
      caller: '$context.identity.caller',
      userArn: '$context.identity.userArn',
      sourceIp: '$context.identity.sourceIp',
      responseLength: '$context.responseLength',
    });
    for (const v of Object.values(fields)) expect(v).toMatch(/^\$context\.[A-Za-z.]+$/);
  });

  it('never logs a body, a header, a key or a free-text message', () => {
    const format = setting().Format as string;
    expect(format).not.toMatch(
      /\$input|\$method|\$util|header|userAgent|accessKey|apiKey|message|authorizer|body/i,
    );
  });

  it("sets the region's API Gateway CloudWatch role unless told it exists", () => {
    const role = template.Resources.ApiGatewayCloudWatchLogsRole;
    const account = template.Resources.ApiGatewayAccount;
    expect(account?.Type).toBe('AWS::ApiGateway::Account');
    expect(props(account).CloudWatchRoleArn).toEqual({
      'Fn::GetAtt': ['ApiGatewayCloudWatchLogsRole', 'Arn'],
    });
    expect(props(role).AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'apigateway.amazonaws.com' },
        Action: 'sts:AssumeRole',
      },
    ]);
    expect(JSON.stringify(props(role).ManagedPolicyArns)).toContain(
      'policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs',
    );
    // Kept on delete: the account setting outlives the stack.
    expect([role?.DeletionPolicy, role?.UpdateReplacePolicy]).toEqual(['Retain', 'Retain']);
    // The stage waits for the account setting when the stack makes it, and only then.
    const stageMeta = template.Resources.ApiGatewayStage?.Metadata?.apiGatewayAccount;
    expect(evaluate(template, stageMeta)).toEqual({ Ref: 'ApiGatewayAccount' });
    expect(isCreated(template, 'ApiGatewayAccount')).toBe(true);
    expect(isCreated(template, 'ApiGatewayCloudWatchLogsRole')).toBe(true);

    expect(existing.Parameters.ApiGatewayCloudWatchRole?.Default).toBe('existing');
    expect(isCreated(existing, 'ApiGatewayAccount')).toBe(false);
    expect(isCreated(existing, 'ApiGatewayCloudWatchLogsRole')).toBe(false);
    const meta = existing.Resources.ApiGatewayStage?.Metadata?.apiGatewayAccount;
    expect(evaluate(existing, meta)).toEqual({ Ref: 'AWS::NoValue' });
  });
});

/** What each alarm watches; the thresholds named by parameter default to serverless params. */
const BROKER_ALARMS: Record<
  string,
  {
    metric: MetricName;
    dimension: [string, ErrorCode | (typeof SEVERITIES)[number]];
    stat: string;
    threshold: string | number;
    op: string;
  }
> = {
  ThrottledAlarm: {
    metric: 'Errors',
    dimension: ['Code', 'Throttled'],
    stat: 'Sum',
    threshold: 'alarmThrottled',
    op: 'GreaterThanOrEqualToThreshold',
  },
  UnavailableAlarm: {
    metric: 'Errors',
    dimension: ['Code', 'Unavailable'],
    stat: 'Sum',
    threshold: 'alarmUnavailable',
    op: 'GreaterThanOrEqualToThreshold',
  },
  UpstreamRefusedAlarm: {
    metric: 'Errors',
    dimension: ['Code', 'UpstreamRefused'],
    stat: 'Sum',
    threshold: 'alarmUpstreamRefused',
    op: 'GreaterThanOrEqualToThreshold',
  },
  InternalErrorAlarm: {
    metric: 'Errors',
    dimension: ['Code', 'InternalError'],
    stat: 'Sum',
    threshold: 1,
    op: 'GreaterThanOrEqualToThreshold',
  },
  AuditHighFindingsAlarm: {
    metric: 'AuditFindings',
    dimension: ['Severity', 'high'],
    stat: 'Maximum',
    threshold: 0,
    op: 'GreaterThanThreshold',
  },
};
const MATH_ALARMS = ['Api5xxRateAlarm', 'LambdaErrorsAlarm', 'LambdaThrottlesAlarm'];

describe('alarms', () => {
  const alarms = () => resourcesOfType(template, 'AWS::CloudWatch::Alarm');

  it('are exactly the documented ones', () => {
    expect(Object.keys(alarms()).sort()).toEqual(
      [...Object.keys(BROKER_ALARMS), ...MATH_ALARMS].sort(),
    );
  });

  it.each(Object.entries(BROKER_ALARMS))('%s watches the metric the code emits', (id, want) => {
    const p = props(template.Resources[id]);
    const [metric] = alarmMetrics(template.Resources[id] as Resource);
    expectEmittedShape(metric as MetricId);
    expect(metric).toEqual({
      namespace: powertoolsEnv(template).namespace,
      name: want.metric,
      dimensions: {
        service: powertoolsEnv(template).service,
        [want.dimension[0]]: want.dimension[1],
      },
    });
    expect([p.Statistic, p.ComparisonOperator]).toEqual([want.stat, want.op]);
    const threshold = evaluate(template, p.Threshold);
    expect(threshold).toBe(
      typeof want.threshold === 'number' ? want.threshold : SLS_PARAMS[want.threshold],
    );
  });

  it('uses the thresholds given as --param', () => {
    expect(Number(evaluate(existing, props(existing.Resources.ThrottledAlarm).Threshold))).toBe(7);
    expect(Number(evaluate(template, props(template.Resources.ThrottledAlarm).Threshold))).toBe(5);
  });

  it('read the 5xx rate from API Gateway for this API and stage, only above a minimum of requests', () => {
    const alarm = template.Resources.Api5xxRateAlarm as Resource;
    const dims = { ApiName: apiName(), Stage: stageName() };
    expect(alarmMetrics(alarm)).toEqual([
      { namespace: 'AWS/ApiGateway', name: '5XXError', dimensions: dims },
      { namespace: 'AWS/ApiGateway', name: 'Count', dimensions: dims },
    ]);
    expect(dims).toEqual({ ApiName: 'rolebroker-ci', Stage: 'ci' });
    const expression = (props(alarm).Metrics as Json[]).find((m) => m.ReturnData);
    expect(expression.Expression).toEqual({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an Fn::Sub placeholder
      'Fn::Sub': 'IF(requests >= ${Alarm5xxMinRequests}, errors / requests, 0)',
    });
    expect(evaluate(template, { Ref: 'Alarm5xxMinRequests' })).toBe(SLS_PARAMS.alarm5xxMinRequests);
    expect(evaluate(template, props(alarm).Threshold)).toBe(SLS_PARAMS.alarm5xxRate);
    expect(props(alarm).ComparisonOperator).toBe('GreaterThanThreshold');
  });

  it.each([
    ['LambdaErrorsAlarm', 'Errors', 'alarmLambdaErrors'],
    ['LambdaThrottlesAlarm', 'Throttles', 'alarmLambdaThrottles'],
  ])('%s adds up every function', (id, metric, threshold) => {
    const alarm = template.Resources[id] as Resource;
    const read = alarmMetrics(alarm);
    expect(read.every((m) => m.namespace === 'AWS/Lambda' && m.name === metric)).toBe(true);
    const functions = read.map((m) => (m.dimensions.FunctionName as { Ref: string }).Ref).sort();
    expect(functions).toEqual(functionIds());
    const math = props(alarm).Metrics as Json[];
    const total = math.find((m) => m.ReturnData);
    const ids = math.filter((m) => m.MetricStat).map((m) => m.Id);
    expect(total.Expression).toBe(ids.map((i) => `FILL(${i}, 0)`).join(' + '));
    expect(evaluate(template, props(alarm).Threshold)).toBe(SLS_PARAMS[threshold]);
  });

  it('notify the topic the stack creates, encrypted with its own key, when no topic is given', () => {
    expect(SLS_PARAMS.alarmTopicArn).toBe('');
    expect(isCreated(template, 'AlarmTopic')).toBe(true);
    expect(isCreated(template, 'AlarmTopicKey')).toBe(true);
    for (const alarm of Object.values(alarms())) {
      expect(evaluate(template, props(alarm).AlarmActions)).toEqual([{ Ref: 'AlarmTopic' }]);
      expect(evaluate(template, props(alarm).OKActions)).toEqual([{ Ref: 'AlarmTopic' }]);
    }
    const topic = template.Resources.AlarmTopic as Resource;
    expect(topic.Type).toBe('AWS::SNS::Topic');
    expect(props(topic).KmsMasterKeyId).toEqual({ Ref: 'AlarmTopicKey' });
    const key = props(template.Resources.AlarmTopicKey);
    expect(key.EnableKeyRotation).toBe(true);
    // CloudWatch must be able to use the key, or the alarm's publish fails.
    expect(key.KeyPolicy.Statement).toContainEqual(
      expect.objectContaining({
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      }),
    );
    expect(evaluate(template, template.Outputs.AlarmTopicArn?.Value)).toEqual({
      Ref: 'AlarmTopic',
    });
  });

  it('notify an existing topic given by ARN, and then create none', () => {
    expect(existing.Parameters.AlarmTopicArn?.Default).toBe(EXISTING_TOPIC);
    expect(isCreated(existing, 'AlarmTopic')).toBe(false);
    expect(isCreated(existing, 'AlarmTopicKey')).toBe(false);
    for (const alarm of Object.values(resourcesOfType(existing, 'AWS::CloudWatch::Alarm'))) {
      expect(evaluate(existing, props(alarm).AlarmActions)).toEqual([EXISTING_TOPIC]);
      expect(evaluate(existing, props(alarm).OKActions)).toEqual([EXISTING_TOPIC]);
    }
    expect(evaluate(existing, existing.Outputs.AlarmTopicArn?.Value)).toBe(EXISTING_TOPIC);
  });
});

interface DashboardRow extends MetricId {
  options: Record<string, unknown>;
}

/**
 * The dashboard body with Fn::Sub's map applied, each `${Resource}` / `${Resource.Arn}` made
 * `<Resource>` / `<Resource.Arn>` after checking the resource exists, and parsed.
 */
function dashboard() {
  const body = props(template.Resources.Dashboard).DashboardBody['Fn::Sub'] as [
    string,
    Record<string, string>,
  ];
  const [text, vars] = body;
  const resolved = text.replace(/\$\{([A-Za-z0-9:.]+)\}/g, (_, name: string) => {
    if (name in vars) return vars[name] as string;
    if (name === 'AWS::Region') return '<region>';
    const [id] = name.split('.');
    expect(template.Resources, `dashboard names ${name}`).toHaveProperty(id as string);
    return `<${name}>`;
  });
  const parsed = JSON.parse(resolved) as {
    widgets: { type: string; properties: Record<string, Json> }[];
  };
  const rows: DashboardRow[] = parsed.widgets
    .filter((w) => w.type === 'metric')
    .flatMap((w) =>
      (w.properties.metrics as unknown[][]).map((row) => {
        const last = row[row.length - 1];
        const options = typeof last === 'object' ? (last as Record<string, unknown>) : {};
        const parts = (typeof last === 'object' ? row.slice(0, -1) : row) as string[];
        const [namespace, name, ...dims] = parts;
        const dimensions: Record<string, string> = {};
        for (let i = 0; i < dims.length; i += 2)
          dimensions[dims[i] as string] = dims[i + 1] as string;
        return {
          namespace: namespace as string,
          name: name as string,
          dimensions,
          options: { stat: w.properties.stat, ...options },
        };
      }),
    );
  return { widgets: parsed.widgets, rows };
}

describe('dashboard', () => {
  it('shows only metrics the code emits, under the namespace and service the functions use', () => {
    const own = dashboard().rows.filter((r) => r.namespace === powertoolsEnv(template).namespace);
    expect(own.length).toBeGreaterThan(0);
    for (const row of own) expectEmittedShape(row);
  });

  it('shows every metric the code emits: every error code and every audit severity', () => {
    const own = dashboard().rows.filter((r) => r.namespace === powertoolsEnv(template).namespace);
    expect(new Set(own.map((r) => r.name))).toEqual(new Set(Object.keys(METRICS)));
    const codes = own.filter((r) => r.name === 'Errors').map((r) => r.dimensions.Code);
    expect(new Set(codes)).toEqual(new Set(ERROR_CODES));
    const severities = own
      .filter((r) => r.name === 'AuditFindings')
      .map((r) => r.dimensions.Severity);
    expect(new Set(severities)).toEqual(new Set(SEVERITIES));
  });

  it("shows this API's requests, 4xx and 5xx", () => {
    const api = dashboard().rows.filter((r) => r.namespace === 'AWS/ApiGateway');
    for (const row of api)
      expect(row.dimensions).toEqual({ ApiName: apiName(), Stage: stageName() });
    expect(new Set(api.map((r) => r.name))).toEqual(
      new Set(['Count', '4XXError', '5XXError', 'Latency', 'IntegrationLatency']),
    );
  });

  it('shows duration p50 and p99, errors and throttles of every function', () => {
    const lambda = dashboard().rows.filter((r) => r.namespace === 'AWS/Lambda');
    const of = (name: string, stat?: string) =>
      lambda
        .filter((r) => r.name === name && (!stat || r.options.stat === stat))
        .map((r) => String(r.dimensions.FunctionName).replace(/^<|>$/g, ''))
        .sort();
    expect(of('Duration', 'p50')).toEqual(functionIds());
    expect(of('Duration', 'p99')).toEqual(functionIds());
    expect(of('Errors', 'Sum')).toEqual(functionIds());
    expect(of('Throttles', 'Sum')).toEqual(functionIds());
  });

  it('queries the access log and shows every alarm', () => {
    const { widgets } = dashboard();
    const log = widgets.find((w) => w.type === 'log');
    expect(log?.properties.query).toMatch(
      /^SOURCE '<AccessLogGroup>' \| stats count\(\*\) as requests by status, responseType/,
    );
    const shown = widgets.find((w) => w.type === 'alarm')?.properties.alarms as string[];
    const all = Object.keys(resourcesOfType(template, 'AWS::CloudWatch::Alarm'));
    expect(shown.sort()).toEqual(all.map((id) => `<${id}.Arn>`).sort());
    for (const w of widgets) if (w.properties.region) expect(w.properties.region).toBe('<region>');
  });
});

describe('what the real handlers emit (EMF on stdout, against the emulator)', () => {
  let world: SeededWorld;
  let ssm: FaultProxy;
  const lines: string[] = [];
  const EMF_ENV = ['POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_METRICS_NAMESPACE'];

  beforeAll(async () => {
    world = await seedDemo(endpoint, { unsafe: true });
    ssm = await startFaultProxy(endpoint);
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        return true;
      });
    }
  }, 180_000);

  afterAll(async () => {
    vi.restoreAllMocks();
    restoreEnv();
    for (const name of EMF_ENV) delete process.env[name];
    await ssm?.close();
  });

  /** The functions' environment as the template sets it, metrics on. */
  const metricsEnv = () => {
    const { namespace, service } = powertoolsEnv(template);
    return {
      POWERTOOLS_METRICS_DISABLED: 'false',
      POWERTOOLS_METRICS_NAMESPACE: namespace,
      POWERTOOLS_SERVICE_NAME: service,
    };
  };

  /** Each metric of each EMF record printed so far, with the whole dimension set it has. */
  function emitted(): MetricId[] {
    return lines.flatMap((line) => {
      let record: Json;
      try {
        record = JSON.parse(line);
      } catch {
        return [];
      }
      const emf = record?._aws?.CloudWatchMetrics;
      if (!Array.isArray(emf)) return [];
      return emf.flatMap((d: Json) =>
        (d.Dimensions as string[][]).flatMap((set) =>
          (d.Metrics as { Name: string }[]).map((m) => ({
            namespace: d.Namespace,
            name: m.Name,
            dimensions: Object.fromEntries(set.map((k) => [k, record[k]])),
          })),
        ),
      );
    });
  }

  it('names the caller on every line once it is known, and the grant once it is chosen, never in the next request', async () => {
    const broker = await loadBroker(world);
    const records = async (body: object | string, userArn: string | null, status: number) => {
      const from = lines.length;
      const event = restEvent({ body, userArn });
      expect((await broker.credentials(event, lambdaContext())).statusCode).toBe(status);
      const id = event.requestContext.requestId;
      return lines
        .slice(from)
        .flatMap((line) => {
          try {
            return [JSON.parse(line) as Json];
          } catch {
            return [];
          }
        })
        .filter((r) => r.requestId === id && typeof r.message === 'string');
    };

    const refused = await records({ roleArn: ARNS.strictTarget }, ARNS.demoCaller, 502);
    expect(refused.find((r) => r.message === 'request failed upstream')).toMatchObject({
      caller: ARNS.demoCaller,
      grant: 'strict-mismatch',
      roleArn: ARNS.strictTarget,
      code: 'UpstreamRefused',
    });
    const denied = await records({ roleArn: ARNS.localTarget }, ARNS.demoOutsider, 403);
    const deniedLine = denied.find((r) => r.message === 'request refused');
    expect(deniedLine).toMatchObject({ caller: ARNS.demoOutsider, code: 'AccessDenied' });
    expect(deniedLine).not.toHaveProperty('grant');
    const invalid = await records('{not json', ARNS.demoCaller, 400);
    const invalidLine = invalid.find((r) => r.message === 'request refused');
    expect(invalidLine).toMatchObject({ code: 'ValidationError' });
    for (const key of ['caller', 'grant', 'roleArn']) expect(invalidLine).not.toHaveProperty(key);
    const issued = await records({ roleArn: ARNS.localTarget }, ARNS.demoCaller, 200);
    expect(issued.find((r) => r.message === 'credentials issued')).toMatchObject({
      caller: ARNS.demoCaller,
      grant: 'local-reader',
      roleArn: ARNS.localTarget,
    });
  });

  it('emits every metric the alarms and the dashboard watch, with exactly their dimensions', async () => {
    const env = metricsEnv();
    const broker = await loadBroker(world, env);
    const ask = (body: object | string, userArn: string | null = ARNS.demoCaller) =>
      broker.credentials(restEvent({ body, userArn }), lambdaContext());
    const status = async (p: Promise<{ statusCode: number }>) => (await p).statusCode;

    expect(await status(ask({ roleArn: ARNS.localTarget }))).toBe(200); // CredentialsIssued
    expect(await status(ask({ roleArn: ARNS.localTarget }))).toBe(200); // CredentialsReused
    expect(
      await status(
        broker.roles(
          restEvent({ method: 'GET', path: '/roles', userArn: ARNS.demoCaller }),
          lambdaContext(),
        ),
      ),
    ).toBe(200);
    expect(await status(ask('{not json'))).toBe(400);
    expect(await status(ask({ roleArn: ARNS.localTarget }, null))).toBe(401);
    expect(await status(ask({ roleArn: ARNS.localTarget }, ARNS.demoOutsider))).toBe(403);
    expect(
      await status(ask(JSON.stringify({ roleArn: ARNS.localTarget, pad: 'x'.repeat(17_000) }))),
    ).toBe(413);
    expect(await status(ask({ roleArn: ARNS.strictTarget }))).toBe(502);

    // SSM failing before any grant was loaded: a fresh broker behind the fault proxy.
    ssm.mode = 'throttle';
    const throttled = await loadBroker(world, { ...env, AWS_ENDPOINT_URL_SSM: ssm.endpoint });
    expect(
      await status(
        throttled.credentials(
          restEvent({ body: { roleArn: ARNS.localTarget }, userArn: ARNS.demoCaller }),
          lambdaContext(),
        ),
      ),
    ).toBe(429);
    ssm.mode = 'error500';
    const failing = await loadBroker(world, { ...env, AWS_ENDPOINT_URL_SSM: ssm.endpoint });
    expect(
      await status(
        failing.credentials(
          restEvent({ body: { roleArn: ARNS.localTarget }, userArn: ARNS.demoCaller }),
          lambdaContext(),
        ),
      ),
    ).toBe(503);
    ssm.mode = 'pass';

    // No request can make the broker answer 500 (that is the point); an unknown error thrown
    // inside the same middleware stands in for a bug.
    const { withHttp } = await import('../../lib/http');
    const { createLogger, createMetrics } = await import('../../lib/observability');
    const buggy = withHttp(
      async () => {
        throw new TypeError('a bug');
      },
      { logger: createLogger(), metrics: createMetrics() },
    );
    expect((await buggy(restEvent({ body: {} }), lambdaContext())).statusCode).toBe(500);

    // The scheduled audit, no audit roles: grant checks only (the unsafe seed has high ones).
    await loadBroker(world, env);
    vi.resetModules();
    const audit = await import('../../functions/audit');
    const summary = (await audit.handler({} as never, lambdaContext())) as { high: number };
    expect(summary.high).toBeGreaterThan(0);

    const out = emitted();
    const seen = new Set(out.map(key));
    for (const m of out) expectEmittedShape(m);

    // Every alarm on the broker's own metrics reads one of them, exact dimension set included.
    for (const alarm of Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm'))) {
      for (const m of alarmMetrics(alarm).filter(
        (x) => x.namespace === env.POWERTOOLS_METRICS_NAMESPACE,
      )) {
        expect(seen, `alarm metric ${key(m)}`).toContain(key(m));
      }
    }
    // So does every dashboard row on them: all of it was emitted just now.
    for (const row of dashboard().rows.filter(
      (r) => r.namespace === env.POWERTOOLS_METRICS_NAMESPACE,
    )) {
      const { options: _o, ...m } = row;
      expect(seen, `dashboard metric ${key(m)}`).toContain(key(m));
    }
    // The high findings reached the metric the alarm watches.
    const high = lines
      .map((l) => {
        try {
          return JSON.parse(l);
        } catch {
          return undefined;
        }
      })
      .find((r) => r?._aws && r.Severity === 'high' && 'AuditFindings' in r);
    expect(high.AuditFindings).toBe(summary.high);
    // Nothing secret on stdout while metrics were on.
    for (const id of Object.values(EXTERNAL_IDS)) expect(lines.join('\n')).not.toContain(id);
  }, 60_000);
});
