import { describe, expect, it } from 'vitest';
import type { IssuedCredentials } from '../../../lib/contract';
import { authorize, type Grant, parseGrant } from '../../../lib/grants';
import { SessionReuse } from '../../../lib/issue';
import { type Caller, parseCallerArn } from '../../../lib/principals';

const T0 = Date.parse('2026-01-01T00:00:00Z');

const callerOf = (arn: string): Caller => {
  const c = parseCallerArn(arn);
  if (!c) throw new Error('fixture');
  return c;
};
const ALICE = callerOf('arn:aws:sts::111111111111:assumed-role/app/alice');
const BOB = callerOf('arn:aws:sts::111111111111:assumed-role/app/bob');

const grantOf = (extra: object = {}): Grant => {
  const r = parseGrant(
    'g',
    JSON.stringify({
      roleArn: 'arn:aws:iam::222222222222:role/Target',
      externalId: 'ext-123',
      principals: ['111111111111'],
      ...extra,
    }),
    'aws',
  );
  if (!r.ok) throw new Error(r.reason);
  return r.grant;
};

/** A fake STS: each call makes a new session lasting `durationSeconds` from `clock.now`. */
function fakeSts(clock: { now: number }) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    issue(durationSeconds = 900): () => Promise<IssuedCredentials> {
      return async () => {
        calls += 1;
        return {
          Credentials: {
            AccessKeyId: `ASIA${calls}`,
            SecretAccessKey: `secret-${calls}`,
            SessionToken: `token-${calls}`,
            Expiration: new Date(clock.now + durationSeconds * 1000).toISOString(),
          },
          AssumedRoleUser: { AssumedRoleId: `AROA:${calls}`, Arn: `arn:session:${calls}` },
          Grant: 'g',
        };
      };
    },
  };
}

function setup(minRemainingSeconds = 600, maxEntries?: number) {
  const clock = { now: T0 };
  const sts = fakeSts(clock);
  const reuse = new SessionReuse({
    minRemainingSeconds,
    now: () => clock.now,
    ...(maxEntries ? { maxEntries } : {}),
  });
  return { clock, sts, reuse };
}

describe('per-caller session reuse', () => {
  it('returns the same session to the same caller while at least the minimum remains', async () => {
    const { clock, sts, reuse } = setup();
    const input = { grant: grantOf(), caller: ALICE, durationSeconds: 900 };
    const first = await reuse.issue(input, sts.issue());
    clock.now += 299_000; // 601 s of 900 left
    const second = await reuse.issue(input, sts.issue());
    expect(first.reused).toBe(false);
    expect(second).toEqual({ issued: first.issued, reused: true });
    expect(sts.calls).toBe(1);
  });

  it('issues a new session once less than the minimum would remain', async () => {
    const { clock, sts, reuse } = setup();
    const input = { grant: grantOf(), caller: ALICE, durationSeconds: 900 };
    await reuse.issue(input, sts.issue());
    clock.now += 300_000; // exactly 600 s left: not more than the minimum
    const again = await reuse.issue(input, sts.issue());
    expect(again.reused).toBe(false);
    expect(again.issued.Credentials.AccessKeyId).toBe('ASIA2');
  });

  it('never hands back a session with more than 5 minutes less than was asked', async () => {
    const { clock, sts, reuse } = setup();
    const input = { grant: grantOf(), caller: ALICE, durationSeconds: 3600 };
    const first = await reuse.issue(input, sts.issue(3600));
    clock.now += 299_000; // 3301 s of 3600 left
    expect((await reuse.issue(input, sts.issue(3600))).issued).toBe(first.issued);
    clock.now += 1_000; // 3300 s left: an SDK would soon want it renewed
    const again = await reuse.issue(input, sts.issue(3600));
    expect(again.reused).toBe(false);
    expect(sts.calls).toBe(2);
  });

  it('never hands one caller the session of another', async () => {
    const { sts, reuse } = setup();
    const grant = grantOf();
    const a = await reuse.issue({ grant, caller: ALICE, durationSeconds: 900 }, sts.issue());
    const b = await reuse.issue({ grant, caller: BOB, durationSeconds: 900 }, sts.issue());
    const a2 = await reuse.issue({ grant, caller: ALICE, durationSeconds: 900 }, sts.issue());
    const b2 = await reuse.issue({ grant, caller: BOB, durationSeconds: 900 }, sts.issue());
    expect(b.issued.Credentials.AccessKeyId).not.toBe(a.issued.Credentials.AccessKeyId);
    expect(a2.issued).toBe(a.issued);
    expect(b2.issued).toBe(b.issued);
    expect(sts.calls).toBe(2);
  });

  it.each([
    ['another duration', { durationSeconds: 1800 }],
    ['a caller session policy', { callerPolicy: { Version: '2012-10-17', Statement: [] } }],
    ['a changed grant', { grant: grantOf({ sessionTags: { team: 'x' } }) }],
    ['another grant name', { grant: { ...grantOf(), name: 'other' } }],
  ])('treats %s as a different request', async (_label, change) => {
    const { sts, reuse } = setup();
    const input = { grant: grantOf(), caller: ALICE, durationSeconds: 900 };
    await reuse.issue(input, sts.issue());
    const other = await reuse.issue({ ...input, ...change }, sts.issue(1800));
    expect(other.reused).toBe(false);
    expect(sts.calls).toBe(2);
  });

  it('shares one issue between identical concurrent requests', async () => {
    const { sts, reuse } = setup();
    const input = { grant: grantOf(), caller: ALICE, durationSeconds: 900 };
    const all = await Promise.all(
      Array.from({ length: 20 }, () => reuse.issue(input, sts.issue())),
    );
    expect(sts.calls).toBe(1);
    expect(new Set(all.map((r) => r.issued)).size).toBe(1);
    expect(all.filter((r) => !r.reused)).toHaveLength(1);
  });

  it('does not remember a failure', async () => {
    const { sts, reuse } = setup();
    const input = { grant: grantOf(), caller: ALICE, durationSeconds: 900 };
    await expect(reuse.issue(input, () => Promise.reject(new Error('sts down')))).rejects.toThrow(
      'sts down',
    );
    const ok = await reuse.issue(input, sts.issue());
    expect(ok.reused).toBe(false);
  });

  it('does not keep a session too short to ever be reused', async () => {
    const { sts, reuse } = setup(900);
    const input = { grant: grantOf(), caller: ALICE, durationSeconds: 900 };
    await reuse.issue(input, sts.issue(900));
    expect((await reuse.issue(input, sts.issue(900))).reused).toBe(false);
    expect(sts.calls).toBe(2);
  });

  it('stays within its size bound, dropping the oldest entry first', async () => {
    const { sts, reuse } = setup(600, 3);
    const grant = grantOf();
    const callers = ['a', 'b', 'c', 'd'].map((n) =>
      callerOf(`arn:aws:sts::111111111111:assumed-role/app/caller-${n}`),
    );
    for (const caller of callers)
      await reuse.issue({ grant, caller, durationSeconds: 900 }, sts.issue());
    const [first, , , last] = callers as [Caller, Caller, Caller, Caller];
    expect(
      (await reuse.issue({ grant, caller: last, durationSeconds: 900 }, sts.issue())).reused,
    ).toBe(true);
    expect(
      (await reuse.issue({ grant, caller: first, durationSeconds: 900 }, sts.issue())).reused,
    ).toBe(false);
  });
});

describe('session reuse under a grant window', () => {
  const ROLE = 'arn:aws:iam::222222222222:role/Target';
  const OPENS = T0 + 3_600_000;
  const CLOSES = OPENS + 5_000_000; // the window holds 5000 s
  const windowed = grantOf({
    notBefore: new Date(OPENS).toISOString(),
    notAfter: new Date(CLOSES).toISOString(),
  });

  /** What functions/credentials.ts does: authorize on the clock, then reuse or issue. */
  function broker() {
    const { clock, reuse } = setup();
    let calls = 0;
    const ask = async () => {
      const input = {
        ...authorize([windowed], { roleArn: ROLE, durationSeconds: 'max' }, ALICE, clock.now),
        caller: ALICE,
      };
      return reuse.issue(input, async () => {
        calls += 1;
        return sts(clock).issue(input.durationSeconds)();
      });
    };
    return { clock, ask, calls: () => calls };
  }
  const sts = (clock: { now: number }) => fakeSts(clock);
  const expiresAt = (r: { issued: IssuedCredentials }) =>
    Date.parse(r.issued.Credentials.Expiration);

  it('reuses a capped session although the cap shrinks by the second', async () => {
    const b = broker();
    b.clock.now = CLOSES - 2_000_000; // 2000 s left: max (3600) is cut to 2000
    const first = await b.ask();
    expect(expiresAt(first)).toBe(CLOSES);
    b.clock.now += 60_000; // the cap is 1940 now; same request, same session
    const second = await b.ask();
    expect(second).toEqual({ issued: first.issued, reused: true });
    expect(b.calls()).toBe(1);
  });

  it('never hands out a session that ends after notAfter', async () => {
    const b = broker();
    for (let left = 4_000_000; left >= 900_000; left -= 137_000) {
      b.clock.now = CLOSES - left;
      const r = await b.ask();
      expect(expiresAt(r)).toBeLessThanOrEqual(CLOSES);
      expect(expiresAt(r) - b.clock.now).toBeGreaterThan(600_000);
    }
  });

  it('refuses once notAfter has passed, and before notBefore, with a live session kept', async () => {
    const b = broker();
    b.clock.now = OPENS;
    const kept = await b.ask();
    expect(kept.reused).toBe(false);
    b.clock.now = OPENS - 1; // a clock set back: the kept session is still fresh
    await expect(b.ask()).rejects.toThrow('no grant allows this caller to assume this role');
    b.clock.now = CLOSES;
    await expect(b.ask()).rejects.toThrow('no grant allows this caller to assume this role');
    b.clock.now = CLOSES - 899_000;
    await expect(b.ask()).rejects.toThrow(/too soon for the minimum session/);
    expect(b.calls()).toBe(1);
  });
});
