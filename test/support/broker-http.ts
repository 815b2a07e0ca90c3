import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { restEvent } from '../../scripts/events';
import type { LoadedBroker } from './broker';
import { lambdaContext } from './events';

/**
 * Serves a loaded credentials handler over HTTP on 127.0.0.1, standing in for API
 * Gateway with AWS_IAM auth: it passes `callerArn` as the verified identity (it does not
 * check signatures; that is API Gateway's job and covered by the client tests).
 */
export async function serveBroker(
  broker: LoadedBroker,
  callerArn: string,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', async () => {
      const out = await broker.credentials(
        restEvent({ body, userArn: callerArn }),
        lambdaContext(),
      );
      res.writeHead(out.statusCode, out.headers as Record<string, string>);
      res.end(out.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
