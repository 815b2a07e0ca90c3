/**
 * Time-boxed grants (notBefore / notAfter) through the real credentials and roles handlers
 * against the emulator: what DurationSeconds the broker sends to STS (read at a relay in
 * front of moto, which does not enforce it), the Expiration it returns, the refusals, session
 * reuse and GET /roles. The frozen-clock tests write their grant a moment before and freeze
 * the broker's Date (timers stay real) within seconds of the real clock, which moto's
 * Expiration follows, so the cap is exact; the others run on the real clock.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { type RolesOptions, roles as rolesCli } from '../../lib/cli/run/roles';
import { EMULATOR_REGION } from '../../scripts/emulator';
import { restEvent } from '../../scripts/events';
import { type FaultProxy, startFaultProxy } from '../../scripts/relay';
import {
  ARNS,
  BROKER_ACCOUNT,
  EXTERNAL_IDS,
  PREFIX,
  type SeededWorld,
  seedDemo,
} from '../../scripts/seed';
import { type LoadedBroker, loadBroker, restoreEnv } from '../support/broker';
import { lambdaContext } from '../support/events';

const endpoint = inject('motoEndpoint');
/** A whole second of the real clock, and `seconds` after it as a grant would write it. */
const wholeSecond = () => Math.floor(Date.now() / 1000) * 1000;
const iso = (t: number, seconds = 0) =>
  new Date(t + seconds * 1000).toISOString().replace('.000Z', 'Z');
/** The real clock when the file loaded: the seeded windows are written relative to it. */
const R = wholeSecond();
const at = (seconds: number) => iso(R, seconds);
const callerOf = (role: string) => `arn:aws:sts::${BROKER_ACCOUNT}:assumed-role/${role}/alice`;
const DENIED = 'no grant allows this caller to assume this role';

/** A grant of the seeded one-hop role to one caller, with `window`. */
const windowed = (role: string, window: object) =>
  JSON.stringify({
    roleArn: ARNS.localTarget,
    externalId: EXTERNAL_IDS.local,
    principals: [callerOf(role)],
    ...window,
  });
const WINDOWS = {
  'window-real': { value: windowed('oncall-real', { notBefore: at(-3600), notAfter: at(1500) }) },
  'window-closing': { value: windowed('oncall-closing', { notAfter: at(600) }) },
  'window-expired': {
    value: windowed('oncall-expired', { notBefore: at(-7200), notAfter: at(-1) }),
  },
  'window-later': {
    value: windowed('oncall-later', { notBefore: at(86_400), notAfter: at(90_000) }),
  },
  // Invalid (a date without a time): skipped, so its caller has no grant.
  'window-invalid': {
    value: windowed('oncall-invalid', { notBefore: at(-60), notAfter: '2099-01-01' }),
  },
};

let world: SeededWorld;
let relay: FaultProxy;
/** The DurationSeconds of each AssumeRole the broker sent to the target role. */
let sent: number[] = [];

const ask = async (broker: LoadedBroker, role: string, body: object = {}) => {
  const before = sent.length;
  const res = await broker.credentials(
    restEvent({ body: { roleArn: ARNS.localTarget, ...body }, userArn: callerOf(role) }),
    lambdaContext(),
  );
  const json = JSON.parse(res.body);
  return {
    status: res.statusCode,
    json,
    expiration: res.statusCode === 200 ? Date.parse(json.Credentials.Expiration) : Number.NaN,
    /** DurationSeconds sent to STS for this request (none when it was refused or reused). */
    sent: sent.slice(before),
  };
};

const load = (reuse: 'on' | 'off') =>
  loadBroker(world, {
    AWS_ENDPOINT_URL_STS: relay.endpoint,
    ROLEBROKER_SESSION_REUSE: reuse,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });

/**
 * Writes grant `window-frozen` for caller `oncall-frozen`: open from T + 30 s until T + 3000 s,
 * T a whole second of the real clock now. Returns T.
 */
async function openFrozenWindow(): Promise<number> {
  const t = wholeSecond();
  const ssm = new SSMClient({
    region: EMULATOR_REGION,
    endpoint,
    credentials: world.admins[BROKER_ACCOUNT],
  });
  try {
    await ssm.send(
      new PutParameterCommand({
        Name: `${PREFIX}/grants/window-frozen`,
        Type: 'SecureString',
        Overwrite: true,
        Value: windowed('oncall-frozen', { notBefore: iso(t, 30), notAfter: iso(t, 3000) }),
      }),
    );
  } finally {
    ssm.destroy();
  }
  return t;
}

/** Freezes the broker's Date (timers stay real) at `t` + `seconds`. */
const freeze = (t: number, seconds: number) => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(t + seconds * 1000);
};

const savedLogLevel = process.env.POWERTOOLS_LOG_LEVEL;

beforeAll(async () => {
  world = await seedDemo(endpoint, { extraParameters: WINDOWS });
  relay = await startFaultProxy(endpoint);
  relay.decide = (req) => {
    const form = new URLSearchParams(req.body);
    if (form.get('Action') === 'AssumeRole' && form.get('RoleArn') === ARNS.localTarget) {
      sent.push(Number(form.get('DurationSeconds')));
    }
    return 'pass';
  };
});

afterEach(() => {
  vi.useRealTimers();
  sent = [];
});

afterAll(async () => {
  restoreEnv();
  if (savedLogLevel === undefined) delete process.env.POWERTOOLS_LOG_LEVEL;
  else process.env.POWERTOOLS_LOG_LEVEL = savedLogLevel;
  await relay.close();
});

describe('a grant window on a frozen clock: the DurationSeconds sent to STS', () => {
  it('sends what was asked while the window holds it', async () => {
    const t = await openFrozenWindow();
    const broker = await load('off');
    freeze(t, 40); // 2960 s left
    expect((await ask(broker, 'oncall-frozen')).sent).toEqual([900]);
    expect((await ask(broker, 'oncall-frozen', { durationSeconds: 2900 })).sent).toEqual([2900]);
  });

  it('cuts max and a longer explicit duration to floor(notAfter - now)', async () => {
    const t = await openFrozenWindow();
    const broker = await load('off');
    freeze(t, 40);
    const max = await ask(broker, 'oncall-frozen', { durationSeconds: 'max' });
    expect(max.status).toBe(200);
    expect(max.sent).toEqual([2960]);
    expect(max.expiration).toBeLessThanOrEqual(t + 3000_000);
    vi.setSystemTime(t + 1999_500); // 1000.5 s left
    expect((await ask(broker, 'oncall-frozen', { durationSeconds: 'max' })).sent).toEqual([1000]);
    const explicit = await ask(broker, 'oncall-frozen', { durationSeconds: 1800 });
    expect(explicit.status).toBe(200);
    expect(explicit.sent).toEqual([1000]);
  });

  it('sends exactly 900 with 900 s left, and refuses with 899.999 s left', async () => {
    const t = await openFrozenWindow();
    const broker = await load('off');
    freeze(t, 2100);
    expect((await ask(broker, 'oncall-frozen', { durationSeconds: 'max' })).sent).toEqual([900]);
    vi.setSystemTime(t + 2100_001);
    const late = await ask(broker, 'oncall-frozen', { durationSeconds: 'max' });
    expect(late.status).toBe(403);
    expect(late.json.error).toEqual({
      code: 'AccessDenied',
      message: `grant window-frozen's window closes at ${iso(t, 3000)}, too soon for the minimum session of 900 seconds`,
      requestId: expect.stringMatching(/^req-/),
    });
    expect(late.sent).toEqual([]);
  });

  it('denies before notBefore and from notAfter on, as it denies an unknown role', async () => {
    const t = await openFrozenWindow();
    const broker = await load('off');
    const unknown = await ask(broker, 'nobody-at-all');
    expect(unknown.json.error.message).toBe(DENIED);
    for (const seconds of [29.999, 3000, 3001, 90_000]) {
      freeze(t, seconds);
      const res = await ask(broker, 'oncall-frozen', { durationSeconds: 'max' });
      expect(res.status).toBe(403);
      expect(res.json.error).toEqual({ ...unknown.json.error, requestId: expect.any(String) });
      expect(res.sent).toEqual([]);
    }
    freeze(t, 30);
    expect((await ask(broker, 'oncall-frozen')).status).toBe(200);
  });
});

describe('session reuse under a grant window (frozen clock)', () => {
  it('reuses a capped session, never past notAfter nor before notBefore', async () => {
    const t = await openFrozenWindow();
    const broker = await load('on');
    freeze(t, 40);
    const first = await ask(broker, 'oncall-frozen', { durationSeconds: 'max' });
    expect(first.sent).toEqual([2960]);
    vi.setSystemTime(t + 200_000); // the cap is 2800 s now: the same request all the same
    const again = await ask(broker, 'oncall-frozen', { durationSeconds: 'max' });
    expect(again.sent).toEqual([]);
    expect(again.json).toEqual(first.json);
    expect(again.expiration).toBeLessThanOrEqual(t + 3000_000);
    // The kept session is still fresh by reuse's own rule here; the window refuses it.
    vi.setSystemTime(t + 29_999);
    const early = await ask(broker, 'oncall-frozen', { durationSeconds: 'max' });
    expect([early.status, early.json.error?.message, early.sent]).toEqual([403, DENIED, []]);
    vi.setSystemTime(t + 3000_000);
    const late = await ask(broker, 'oncall-frozen', { durationSeconds: 'max' });
    expect([late.status, late.json.error?.message, late.sent]).toEqual([403, DENIED, []]);
  });
});

describe('a grant window on the real clock', () => {
  it('caps max by what is left of the window, and the Expiration by notAfter', async () => {
    const broker = await load('off');
    const notAfter = R + 1500_000;
    const before = Date.now();
    const res = await ask(broker, 'oncall-real', { durationSeconds: 'max' });
    const after = Date.now();
    expect(res.status).toBe(200);
    expect(res.sent).toHaveLength(1);
    expect(res.sent[0]).toBeGreaterThanOrEqual(Math.floor((notAfter - after) / 1000));
    expect(res.sent[0]).toBeLessThanOrEqual(Math.floor((notAfter - before) / 1000));
    expect(res.expiration).toBeLessThanOrEqual(notAfter);
    expect(res.expiration).toBeGreaterThan(notAfter - 5_000);
  });

  it('refuses with less than 900 s left: a 403 naming the window, no STS call', async () => {
    const broker = await load('on');
    const res = await ask(broker, 'oncall-closing');
    expect(res.status).toBe(403);
    expect(res.json.error.code).toBe('AccessDenied');
    expect(res.json.error.message).toMatch(/window closes at .* too soon for the minimum session/);
    expect(res.sent).toEqual([]);
  });

  it.each([
    ['whose window has closed', 'oncall-expired'],
    ['whose window has not opened', 'oncall-later'],
    ['whose window is invalid (skipped)', 'oncall-invalid'],
  ])('denies the caller of a grant %s like any caller without a grant', async (_what, role) => {
    const broker = await load('on');
    const res = await ask(broker, role, { durationSeconds: 'max' });
    expect([res.status, res.json.error.code, res.json.error.message]).toEqual([
      403,
      'AccessDenied',
      DENIED,
    ]);
    expect(res.sent).toEqual([]);
  });
});

describe('GET /roles and rolebroker roles show the window', () => {
  const list = async (broker: LoadedBroker, role: string) => {
    const res = await broker.roles(
      restEvent({ method: 'GET', path: '/roles', userArn: callerOf(role) }),
      lambdaContext(),
    );
    expect(res.statusCode).toBe(200);
    return JSON.parse(res.body).roles;
  };

  it('lists a grant not open yet with its window, and not one that has closed', async () => {
    const broker = await load('on');
    expect(await list(broker, 'oncall-later')).toEqual([
      {
        grant: 'window-later',
        roleArn: ARNS.localTarget,
        maxDurationSeconds: 3600,
        scoped: false,
        chained: false,
        notBefore: at(86_400),
        notAfter: at(90_000),
      },
    ]);
    expect(await list(broker, 'oncall-expired')).toEqual([]);
    expect(await list(broker, 'oncall-closing')).toMatchObject([{ notAfter: at(600) }]);
  });

  it('prints the window in the table of rolebroker roles', async () => {
    const broker = await load('on');
    const server: Server = createServer(async (req, res) => {
      req.resume();
      const out = await broker.roles(
        restEvent({ method: 'GET', path: '/roles', userArn: callerOf('oncall-later') }),
        lambdaContext(),
      );
      res.writeHead(out.statusCode, out.headers as Record<string, string>);
      res.end(out.body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const out: string[] = [];
      const err: string[] = [];
      const options: RolesOptions = {
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        format: 'table',
        auth: 'iam',
      };
      const code = await rolesCli(options, {
        stdout: (t) => out.push(t),
        stderr: (t) => err.push(t),
        env: process.env,
      });
      expect([code, err.join('')]).toEqual([0, '']);
      const [header, row] = out.join('').trimEnd().split('\n');
      expect(header).toMatch(/ +NOT BEFORE +NOT AFTER$/);
      expect(row).toMatch(new RegExp(`^window-later .* ${at(86_400)}  ${at(90_000)}$`));
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
