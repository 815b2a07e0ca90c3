// Stage-wide throttling for the REST API, kept in CloudFormation.
//
// osls (Serverless Framework v3) has no stage throttling setting: usage-plan throttles only
// apply to API-key callers, the framework's Deployment has a fresh logical id on every
// package (so `resources` cannot extend it), and Deployment.StageDescription is refused
// once the stage exists ("StageDescription cannot be specified when stage referenced by
// StageName already exists"). So after the framework compiles its events, this plugin moves
// the stage out of the Deployment into an AWS::ApiGateway::Stage that points at it, the
// pattern CloudFormation documents, and puts the limits on that Stage's MethodSettings.
//
// Configuration (serverless.yml): custom.stageThrottling.{rateLimit,burstLimit}.
// A stage created by an earlier deploy *without* this plugin would make the first deploy
// with it fail ("stage already exists"); delete that stage once, then deploy.

const STAGE_LOGICAL_ID = 'ApiGatewayStage';

// Params given on the command line arrive as strings.
function positiveNumber(value, { integer }) {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isFinite(number) || number <= 0) return undefined;
  if (integer && !Number.isInteger(number)) return undefined;
  return number;
}

class StageThrottling {
  constructor(serverless) {
    this.serverless = serverless;
    serverless.configSchemaHandler.defineCustomProperties({
      type: 'object',
      properties: {
        stageThrottling: {
          type: 'object',
          properties: {
            rateLimit: { anyOf: [{ type: 'number' }, { type: 'string' }] },
            burstLimit: { anyOf: [{ type: 'integer' }, { type: 'string' }] },
          },
          required: ['rateLimit', 'burstLimit'],
          additionalProperties: false,
        },
      },
    });
    this.hooks = {
      'after:package:compileEvents': () => this.addStage(),
    };
  }

  addStage() {
    const settings = this.serverless.service.custom?.stageThrottling;
    if (!settings) return;
    const resources = this.serverless.service.provider.compiledCloudFormationTemplate.Resources;
    const deployments = Object.entries(resources).filter(
      ([, resource]) => resource.Type === 'AWS::ApiGateway::Deployment',
    );
    if (deployments.length === 0) return; // no http events, nothing to throttle
    if (deployments.length > 1 || resources[STAGE_LOGICAL_ID]) {
      this.fail('expected exactly one REST API deployment and no stage resource');
    }
    const rateLimit = positiveNumber(settings.rateLimit, { integer: false });
    const burstLimit = positiveNumber(settings.burstLimit, { integer: true });
    if (rateLimit === undefined) {
      this.fail(`rateLimit must be a number > 0, got ${settings.rateLimit}`);
    }
    if (burstLimit === undefined) {
      this.fail(`burstLimit must be an integer > 0, got ${settings.burstLimit}`);
    }
    const [deploymentId, deployment] = deployments[0];
    const { StageName: stageName, RestApiId: restApiId } = deployment.Properties;
    delete deployment.Properties.StageName;

    resources[STAGE_LOGICAL_ID] = {
      Type: 'AWS::ApiGateway::Stage',
      Properties: {
        RestApiId: restApiId,
        DeploymentId: { Ref: deploymentId },
        StageName: stageName,
        Description: `${this.serverless.service.service} ${stageName}`,
        // provider.tracing.apiGateway, which the framework would otherwise set on the stage
        // it no longer owns.
        TracingEnabled: Boolean(this.serverless.service.provider.tracing?.apiGateway),
        MethodSettings: [
          {
            HttpMethod: '*',
            ResourcePath: '/*',
            ThrottlingRateLimit: rateLimit,
            ThrottlingBurstLimit: burstLimit,
          },
        ],
      },
    };
  }

  fail(message) {
    throw new this.serverless.classes.Error(`custom.stageThrottling: ${message}`);
  }
}

module.exports = StageThrottling;
