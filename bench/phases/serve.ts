import type { ChildProcess } from 'node:child_process';
import { Agent, get } from 'node:http';
import { type CliStack, timeNode } from '../cli-stack';
import { BUDGET, SIZES } from '../config';
import { note } from '../note';
import type { CheckBudget } from '../report';
import { round, summary } from '../stats';

/** The two `export NAME='value'` lines `rolebroker serve` prints once it listens. */
function listening(child: ChildProcess): Promise<{ url: string; token: string }> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr?.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-4000);
    });
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const url = /AWS_CONTAINER_CREDENTIALS_FULL_URI='([^']+)'/.exec(out)?.[1];
      const token = /AWS_CONTAINER_AUTHORIZATION_TOKEN='([^']+)'/.exec(out)?.[1];
      if (url && token) resolve({ url, token });
    });
    child.once('exit', (code) => reject(new Error(`rolebroker serve exited ${code}: ${err}`)));
  });
}

/** One GET with the token on a kept-alive connection: its time to the end of the body. */
function timedGet(url: string, token: string, agent: Agent): Promise<number> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    get(url, { agent, headers: { authorization: token } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => {
        body += d.toString();
      });
      res.on('end', () => {
        const ms = performance.now() - start;
        const ok = res.statusCode === 200 && (JSON.parse(body) as { Token?: string }).Token;
        if (ok) resolve(ms);
        else reject(new Error(`the credential server answered ${res.statusCode}`));
      });
    }).once('error', reject);
  });
}

/**
 * Phase 7: `rolebroker serve` from the built CLI bundle, answering the container credentials
 * endpoint from memory: GETs with the token from this process over one kept-alive
 * connection, with `node -e 0` runs between them (one per GETs / runs), counting the broker
 * requests meanwhile (none while the session is fresh).
 */
export async function measureServe(stack: CliStack, check: CheckBudget) {
  note(`serve: ${SIZES.serveGets} GETs, ${SIZES.serveNodeRuns} node -e 0 between them`);
  const before = stack.brokerRequests();
  const child = stack.start([stack.cli, 'serve', ...stack.request]);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const { url, token } = await listening(child);
    const startRequests = stack.brokerRequests() - before;
    for (let i = 0; i < 20; i++) await timedGet(url, token, agent);
    const gets: number[] = [];
    const node: number[] = [];
    const every = Math.ceil(SIZES.serveGets / SIZES.serveNodeRuns);
    for (let i = 0; i < SIZES.serveGets; i++) {
      gets.push(await timedGet(url, token, agent));
      if (i % every === every - 1) {
        const run = await timeNode(['-e', '0'], stack.env());
        if (run.code !== 0) throw new Error(`node -e 0 exited ${run.code}`);
        node.push(run.ms);
      }
    }
    const brokerRequests = stack.brokerRequests() - before - startRequests;
    const g = summary(gets);
    const ratio = g.p50 / summary(node).p50;
    check('serve answer, p50/node', ratio, BUDGET.serveP50Ratio);
    check(`serve broker requests during ${SIZES.serveGets} GETs`, brokerRequests, 0, '==');
    return {
      gets: SIZES.serveGets,
      nodeRuns: node.length,
      answerMs: { p50: round(g.p50, 3), p90: round(g.p90, 3), p99: round(g.p99, 3) },
      nodeMs: { p50: round(summary(node).p50) },
      ratio: round(ratio, 4),
      brokerRequests: { atStart: startRequests, duringGets: brokerRequests },
    };
  } finally {
    agent.destroy();
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  }
}

export type ServeResults = Awaited<ReturnType<typeof measureServe>>;
