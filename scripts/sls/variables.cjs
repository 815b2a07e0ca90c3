// Variable resolvers for serverless.yml (`${file(./scripts/sls/variables.cjs):name}`).
// Each validates its params at package time, so a typo fails the build, not a deploy.

const ROLE_PATTERN =
  /^arn:(\$\{AWS::Partition\}|aws|aws-cn|aws-us-gov):iam::(\d{12}|\*):role\/\S+$/;
const KMS_KEY =
  /^arn:(\$\{AWS::Partition\}|aws|aws-cn|aws-us-gov):kms:(\$\{AWS::Region\}|[a-z0-9-]+):(\$\{AWS::AccountId\}|\d{12}):key\/\S+$/;
const ORG_ID = /^o-[a-z0-9]{10,32}$/;

async function param(resolveVariable, name) {
  return String((await resolveVariable(`param:${name}`)) ?? '').trim();
}

// CloudFormation substitutes ${AWS::...} only inside Fn::Sub, and cfn-lint flags an Fn::Sub
// without variables, so wrap only the values that need it.
function sub(value) {
  return value.includes('${') ? { 'Fn::Sub': value } : value;
}

/** IAM Resource list for sts:AssumeRole: param targetRolePattern, comma-separated. */
async function targetRoleArns({ resolveVariable }) {
  const patterns = (await param(resolveVariable, 'targetRolePattern'))
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (patterns.length === 0) throw new Error('param targetRolePattern is empty');
  for (const pattern of patterns) {
    if (!ROLE_PATTERN.test(pattern)) {
      throw new Error(`param targetRolePattern: "${pattern}" is not an IAM role ARN pattern`);
    }
  }
  return patterns.map(sub);
}

/** IAM Resource for kms:Decrypt of the grants: param grantsKmsKeyArn (a key ARN, not an alias). */
async function grantsKmsKeyArn({ resolveVariable }) {
  const arn = await param(resolveVariable, 'grantsKmsKeyArn');
  if (!KMS_KEY.test(arn)) {
    throw new Error(
      `param grantsKmsKeyArn: "${arn}" is not a KMS key ARN (alias ARNs do not work for kms:Decrypt)`,
    );
  }
  return sub(arn);
}

/**
 * provider.apiGateway.resourcePolicy. With param orgId set, only principals of that AWS
 * Organization may invoke the API: an Allow (cross-account callers need both the resource
 * policy and their own IAM policy to allow) plus an explicit Deny for everyone else (so an
 * over-broad IAM policy in the API's own account cannot get round it). With orgId empty
 * there is no resource policy and the caller's IAM policy alone decides, as usual for
 * AWS_IAM auth; the broker's grants still decide who gets which role.
 */
async function resourcePolicy({ resolveVariable }) {
  const orgId = await param(resolveVariable, 'orgId');
  if (orgId === '') return [];
  if (!ORG_ID.test(orgId)) throw new Error(`param orgId: "${orgId}" is not like o-xxxxxxxxxx`);
  const statement = (effect, operator) => ({
    Effect: effect,
    Principal: '*',
    Action: 'execute-api:Invoke',
    Resource: 'execute-api:/*',
    Condition: { [operator]: { 'aws:PrincipalOrgID': orgId } },
  });
  return [statement('Allow', 'StringEquals'), statement('Deny', 'StringNotEquals')];
}

module.exports = { targetRoleArns, grantsKmsKeyArn, resourcePolicy };
