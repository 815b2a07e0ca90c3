import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// The packaged template was checked with `npm run package` and cfn-lint (no cycle: the RestApi
// depends on no function); this keeps serverless.yml saying what the contract (§3, §5) says.
const sls = parse(readFileSync(new URL('../../../serverless.yml', import.meta.url), 'utf8'));
/** A Serverless Framework variable, `${...}` in serverless.yml (a plain string in JSON terms). */
const v = (inner: string) => `$${'{'}${inner}}`;
const API_HOST = {
  'Fn::Join': [
    '',
    [
      { Ref: 'ApiGatewayRestApi' },
      '.execute-api.',
      { Ref: 'AWS::Region' },
      '.',
      { Ref: 'AWS::URLSuffix' },
    ],
  ],
};

describe('deployed server id (issue 12)', () => {
  it("defaults ROLEBROKER_SERVER_ID to the API's own host, overridable from the deploying shell", () => {
    expect(sls.provider.environment.ROLEBROKER_SERVER_ID).toBe(
      v('env:ROLEBROKER_SERVER_ID, self:custom.apiHost'),
    );
    expect(sls.custom.apiHost).toEqual(API_HOST);
  });

  it('never sets it from the stage', () => {
    expect(JSON.stringify(sls.provider.environment.ROLEBROKER_SERVER_ID)).not.toMatch(/stage/);
  });

  it('gives the scheduled functions the URL of the same host', () => {
    expect(sls.functions.audit.environment.ROLEBROKER_URL).toEqual({
      'Fn::Join': ['', ['https://', v('self:custom.apiHost'), `/${v('sls:stage')}`]],
    });
  });
});
