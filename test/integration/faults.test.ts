/**
 * Network-level faults between the broker and AWS, injected by a relay in front of moto
 * (scripts/relay.ts), against the real Lambda handlers. Every answer must be the
 * contract's error body with API Gateway's request id, never a 500, and must arrive well
 * inside API Gateway's 29 s: the SDK clients give up after 3 attempts of at most 3 s.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Emulator, freePort, startEmulator } from '../../scripts/emulator';
import { restEvent } from '../../scripts/events';
import {
  type FaultProxy,
  jsonFault,
  type ProxiedRequest,
  queryFault,
  startFaultProxy,
} from '../../scripts/relay';
import { ARNS, type SeededWorld, seedDemo } from '../../scripts/seed';
import { type LoadedBroker, loadBroker, restoreEnv } from '../support/broker';
import { lambdaContext } from '../support/events';

const endpoint = inject('motoEndpoint');
/** What a hung upstream may cost at most: 3 attempts × 3 s plus backoff is ~10 s. */
const HANG_BUDGET_MS = 15_000;
const HANG_TEST_TIMEOUT_MS = 25_000;

let world: SeededWorld;
let ssm: FaultProxy;
let sts: FaultProxy;

beforeAll(async () => {
  world = await seedDemo(endpoint);
  ssm = await startFaultProxy(endpoint);
  sts = await startFaultProxy(endpoint);
});

afterAll(async () => {
  restoreEnv();
  await ssm?.close();
  await sts?.close();
});

interface Answer {
  res: APIGatewayProxyResult;
  requestId: string;
  ms: number;
}

async function ask(broker: LoadedBroker, roleArn: string = ARNS.localTarget): Promise<Answer> {
  const event = restEvent({ body: { roleArn }, userArn: ARNS.demoCaller });
  const started = performance.now();
  const res = await broker.credentials(event, lambdaContext());
  return { res, requestId: event.requestContext.requestId, ms: performance.now() - started };
}

/** The contract's error answer: exact shape, this request's id, JSON, no upstream text. */
function expectError(answer: Answer, status: number, code: string) {
  const { res, requestId } = answer;
  expect({ status: res.statusCode, body: res.body }).toMatchObject({ status });
  const body = JSON.parse(res.body);
  expect(body).toEqual({ error: { code, message: expect.any(String), requestId } });
  expect(body.error.message).not.toMatch(/injected|kms|Rate exceeded|ECONN|socket/i);
  expect(res.headers?.['Content-Type']).toBe('application/json');
}

const isSsmCall = (req: ProxiedRequest, action: string) =>
  req.headers['x-amz-target'] === `AmazonSSM.${action}`;
const roleArnOf = (req: ProxiedRequest) => new URLSearchParams(req.body).get('RoleArn');

describe('SSM hangs (the relay accepts and never answers)', () => {
  it(
    'answers 503 Unavailable within the time budget when nothing was loaded before',
    async () => {
      ssm.mode = 'hang';
      const broker = await loadBroker(world, { AWS_ENDPOINT_URL_SSM: ssm.endpoint });
      const before = ssm.count;
      const answer = await ask(broker);
      expectError(answer, 503, 'Unavailable');
      expect(answer.ms).toBeLessThan(HANG_BUDGET_MS);
      // It really waited on the hung relay: every attempt reached it and timed out.
      expect(ssm.count - before).toBe(3);
      expect(answer.ms).toBeGreaterThan(3_000);

      // Nothing of the hang is left behind: once SSM answers, the same handler serves.
      ssm.mode = 'pass';
      const recovered = await ask(broker);
      expect(recovered.res.statusCode).toBe(200);
      expect(recovered.ms).toBeLessThan(3_000);
    },
    HANG_TEST_TIMEOUT_MS,
  );

  it(
    'keeps issuing from the last good grants while within ROLEBROKER_MAX_STALE_SECONDS',
    async () => {
      ssm.mode = 'pass';
      const broker = await loadBroker(world, {
        AWS_ENDPOINT_URL_SSM: ssm.endpoint,
        ROLEBROKER_GRANTS_TTL_SECONDS: '0',
        ROLEBROKER_MAX_STALE_SECONDS: '60',
        ROLEBROKER_SESSION_REUSE: 'off',
      });
      const loaded = ssm.count;
      expect((await ask(broker)).res.statusCode).toBe(200);
      expect(ssm.count).toBeGreaterThan(loaded);

      ssm.mode = 'hang';
      const before = ssm.count;
      const stale = await ask(broker);
      expect(stale.res.statusCode).toBe(200);
      expect(JSON.parse(stale.res.body).Grant).toBe('local-reader');
      expect(ssm.count - before).toBe(3);
      // The stale set is only used once the SSM call has failed, so this request waited
      // out the hang: still inside the budget, but not fast (see the report).
      expect(stale.ms).toBeLessThan(HANG_BUDGET_MS);

      // After a failed load SSM is left alone for 5 s: the next request is served at once.
      const next = await ask(broker);
      expect(next.res.statusCode).toBe(200);
      expect(next.ms).toBeLessThan(2_000);
      expect(ssm.count - before).toBe(3);
    },
    HANG_TEST_TIMEOUT_MS,
  );

  it(
    'answers 503 once the last good grants are older than ROLEBROKER_MAX_STALE_SECONDS',
    async () => {
      ssm.mode = 'pass';
      const broker = await loadBroker(world, {
        AWS_ENDPOINT_URL_SSM: ssm.endpoint,
        ROLEBROKER_GRANTS_TTL_SECONDS: '0',
        ROLEBROKER_MAX_STALE_SECONDS: '1',
        ROLEBROKER_SESSION_REUSE: 'off',
      });
      expect((await ask(broker)).res.statusCode).toBe(200);

      ssm.mode = 'hang';
      const before = ssm.count;
      // The load fails ~10 s later, when the 1 s old set is long past the limit.
      const answer = await ask(broker);
      expectError(answer, 503, 'Unavailable');
      expect(answer.ms).toBeLessThan(HANG_BUDGET_MS);
      expect(ssm.count - before).toBe(3);
    },
    HANG_TEST_TIMEOUT_MS,
  );
});

/**
 * Real SSM answers GetParametersByPath WithDecryption with HTTP 400 and KMS's error when the
 * execution role may not use the parameters' key (AccessDeniedException, "Service: AWSKMS"),
 * or InvalidKeyId when the key is unusable. README "Grants" → "Stale grants" decides: with no
 * usable set, throttling → 429, anything else → 503. So 503 is the documented answer (see
 * the report: it is a permanent refusal that the contract's 502 covers only for STS).
 */
describe('KMS refuses to decrypt the grants', () => {
  const kmsFaults = [
    jsonFault(
      400,
      'AccessDeniedException',
      'User: arn:aws:sts::111111111111:assumed-role/rolebroker-exec/rolebroker is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:111111111111:key/1234abcd (Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException)',
    ),
    jsonFault(400, 'InvalidKeyId', 'injected: the KMS key is disabled'),
  ];

  it.each(kmsFaults.map((f) => [JSON.parse(f.body).__type, f] as const))(
    '%s with nothing cached: 503 Unavailable, not retried, upstream text not returned',
    async (_type, fault) => {
      let byPath = 0;
      ssm.decide = (req) => {
        if (!isSsmCall(req, 'GetParametersByPath')) return 'pass';
        byPath += 1;
        return fault;
      };
      try {
        const broker = await loadBroker(world, { AWS_ENDPOINT_URL_SSM: ssm.endpoint });
        const answer = await ask(broker);
        expectError(answer, 503, 'Unavailable');
        // A 400 is not transient: the SDK sends it once.
        expect(byPath).toBe(1);
        expect(answer.ms).toBeLessThan(3_000);
      } finally {
        ssm.decide = undefined;
      }
    },
  );

  it('serves the last good grants while KMS refuses, then 503 past the stale limit', async () => {
    ssm.mode = 'pass';
    const broker = await loadBroker(world, {
      AWS_ENDPOINT_URL_SSM: ssm.endpoint,
      ROLEBROKER_GRANTS_TTL_SECONDS: '0',
      ROLEBROKER_MAX_STALE_SECONDS: '1',
      ROLEBROKER_SESSION_REUSE: 'off',
    });
    expect((await ask(broker)).res.statusCode).toBe(200);

    let refused = 0;
    ssm.decide = (req) => {
      if (!isSsmCall(req, 'GetParametersByPath')) return 'pass';
      refused += 1;
      return kmsFaults[0] as (typeof kmsFaults)[0];
    };
    try {
      const stale = await ask(broker);
      expect(stale.res.statusCode).toBe(200);
      expect(refused).toBe(1);

      await new Promise((r) => setTimeout(r, 1_300));
      const expired = await ask(broker);
      expectError(expired, 503, 'Unavailable');
      expect(refused).toBe(2);
    } finally {
      ssm.decide = undefined;
    }
  });
});

describe('STS faults on the final AssumeRole', () => {
  it('retries throttling with backoff, then answers 429 Throttled with Retry-After', async () => {
    // deploy-via-hub: the hub AssumeRole goes through, only the final one is throttled.
    const seen = { hub: 0, target: 0, other: 0 };
    sts.decide = (req) => {
      const roleArn = roleArnOf(req);
      if (roleArn === ARNS.hubRole) {
        seen.hub += 1;
        return 'pass';
      }
      if (roleArn === ARNS.deployTarget) {
        seen.target += 1;
        return queryFault(400, 'Throttling', 'Rate exceeded');
      }
      seen.other += 1;
      return 'pass';
    };
    try {
      const broker = await loadBroker(world, { AWS_ENDPOINT_URL_STS: sts.endpoint });
      const answer = await ask(broker, ARNS.deployTarget);
      expectError(answer, 429, 'Throttled');
      expect(answer.res.headers?.['Retry-After']).toMatch(/^[1-9]\d*$/);
      expect(seen).toEqual({ hub: 1, target: 3, other: 0 });
      expect(answer.ms).toBeLessThan(HANG_BUDGET_MS);
    } finally {
      sts.decide = undefined;
    }
  });

  it(
    'answers 503 Unavailable well inside 29 s when STS hangs',
    async () => {
      sts.mode = 'hang';
      try {
        const broker = await loadBroker(world, { AWS_ENDPOINT_URL_STS: sts.endpoint });
        const before = sts.count;
        const answer = await ask(broker);
        expectError(answer, 503, 'Unavailable');
        expect(answer.ms).toBeLessThan(20_000);
        expect(answer.ms).toBeGreaterThan(3_000);
        expect(sts.count - before).toBe(3);

        // The failed AssumeRole is not kept in flight: once STS answers, the same handler serves.
        sts.mode = 'pass';
        const recovered = await ask(broker);
        expect(recovered.res.statusCode).toBe(200);
        expect(recovered.ms).toBeLessThan(3_000);
      } finally {
        sts.mode = 'pass';
      }
    },
    HANG_TEST_TIMEOUT_MS,
  );
});

/**
 * moto restarted under a loaded handler. The shared moto cannot be restarted, so this test
 * runs its own on a fixed port and restarts it there.
 *
 * Proven: the same loaded handler (same module instance, SDK clients, keep-alive pool, grant
 * cache, no reload) answers 503 quickly while nothing listens, and serves 200 again once the
 * emulator is back, without being restarted itself.
 *
 * Not proven, because moto forgets everything on restart, which AWS never does: that the
 * broker's own credentials survive. The reseeded emulator has new keys (its broker session
 * is a new AssumeRole), and the old session is unknown to it, which the broker reports as a
 * 503 (checked below). The test therefore hands the handler the new session through its
 * environment; AWS_CREDENTIAL_EXPIRATION inside the SDK's 5-minute refresh window makes the
 * SDK re-read the environment on every call instead of memoizing the first keys. That
 * rotation is test scaffolding, not something the broker does or needs in AWS.
 */
describe('the emulator restarts under a running broker', () => {
  let own: Emulator | undefined;

  afterAll(async () => {
    delete process.env.AWS_CREDENTIAL_EXPIRATION;
    await own?.stop();
  });

  it('answers 503 while it is down and serves again once it is back, without a reload', async () => {
    const port = await freePort();
    own = await startEmulator({ port });
    const first = await seedDemo(own.endpoint);
    const useSession = (w: SeededWorld) =>
      Object.assign(process.env, {
        AWS_ACCESS_KEY_ID: w.broker.accessKeyId,
        AWS_SECRET_ACCESS_KEY: w.broker.secretAccessKey,
        AWS_SESSION_TOKEN: w.broker.sessionToken ?? '',
      });
    try {
      const broker = await loadBroker(first, {
        ROLEBROKER_GRANTS_TTL_SECONDS: '0',
        ROLEBROKER_MAX_STALE_SECONDS: '0',
        ROLEBROKER_SESSION_REUSE: 'off',
      });
      process.env.AWS_CREDENTIAL_EXPIRATION = new Date(Date.now() + 240_000).toISOString();
      const ok = await ask(broker);
      expect(ok.res.statusCode).toBe(200);

      await own.stop();
      const down = await ask(broker);
      expectError(down, 503, 'Unavailable');
      expect(down.ms).toBeLessThan(5_000);

      own = await startEmulator({ port });
      const second = await seedDemo(own.endpoint);
      expect(second.endpoint).toBe(first.endpoint);
      expect(second.broker.accessKeyId).not.toBe(first.broker.accessKeyId);

      // The restarted emulator does not know the old session: refused upstream, still a 503.
      const forgotten = await ask(broker);
      expectError(forgotten, 503, 'Unavailable');

      useSession(second);
      const back = await ask(broker);
      expect(back.res.statusCode).toBe(200);
      const issued = JSON.parse(back.res.body);
      expect(issued.Grant).toBe('local-reader');
      expect(issued.Credentials.AccessKeyId).not.toBe(
        JSON.parse(ok.res.body).Credentials.AccessKeyId,
      );
    } finally {
      delete process.env.AWS_CREDENTIAL_EXPIRATION;
      restoreEnv();
    }
  }, 60_000);
});
