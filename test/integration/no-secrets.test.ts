import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { restEvent } from '../../scripts/events';
import { ARNS, EXTERNAL_IDS, type SeededWorld, seedDemo } from '../../scripts/seed';
import { loadBroker, restoreEnv } from '../support/broker';
import { lambdaContext } from '../support/events';

const endpoint = inject('motoEndpoint');
let world: SeededWorld;

beforeAll(async () => {
  world = await seedDemo(endpoint);
});
afterAll(restoreEnv);

describe('logs and responses of a full run', () => {
  it('never contain an external ID, a secret key or a session token', async () => {
    const lines: string[] = [];
    // Powertools writes info to stdout and warn/error to stderr: capture both.
    const spies = [process.stdout, process.stderr].map((stream) =>
      vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        lines.push(String(chunk));
        return true;
      }),
    );
    const bodies: string[] = [];
    const issuedSecrets: string[] = [];
    try {
      const broker = await loadBroker(world, { POWERTOOLS_LOG_LEVEL: 'DEBUG' });
      const cases: [object | string, string | null][] = [
        [{ roleArn: ARNS.localTarget }, ARNS.demoCaller],
        [{ roleArn: ARNS.auditTarget }, ARNS.demoCaller],
        [{ roleArn: ARNS.deployTarget }, ARNS.demoCaller],
        [{ roleArn: ARNS.strictTarget }, ARNS.demoCaller],
        [{ roleArn: ARNS.localTarget }, ARNS.demoOutsider],
        [{ roleArn: ARNS.localTarget, durationSeconds: 5 }, ARNS.demoCaller],
        ['{not json', ARNS.demoCaller],
        [{ roleArn: ARNS.localTarget }, null],
      ];
      for (const [body, userArn] of cases) {
        const res = await broker.credentials(restEvent({ body, userArn }), lambdaContext());
        if (res.statusCode === 200) {
          const c = JSON.parse(res.body).Credentials;
          issuedSecrets.push(c.SecretAccessKey, c.SessionToken);
        } else {
          bodies.push(res.body);
        }
      }
      await broker.health(restEvent({ method: 'GET', path: '/health' }), lambdaContext());
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    const logs = lines.join('');
    expect(issuedSecrets.length).toBe(6);
    expect(logs).toContain('credentials issued');
    expect(logs).toContain('request refused');
    expect(logs).toContain('request failed upstream');
    const secrets = [
      ...Object.values(EXTERNAL_IDS),
      ...issuedSecrets,
      world.broker.secretAccessKey,
      world.broker.sessionToken ?? '',
    ];
    for (const secret of secrets) {
      expect(logs).not.toContain(secret);
      for (const body of bodies) expect(body).not.toContain(secret);
    }
  });
});
