import type { EndToEnd } from './phases/end-to-end';
import { round } from './stats';

export interface Check {
  name: string;
  value: number;
  budget: string;
  ok: boolean;
  /** False for a budget that is measured and reported but not yet met, so not enforced. */
  enforced: boolean;
}

/** Records one budget check: `value op limit`. */
export type CheckBudget = (
  name: string,
  value: number,
  limit: number,
  op?: '<=' | '<' | '==',
  enforced?: boolean,
) => void;

/** `ok`, `MISS`, or `miss (not enforced yet)` for a budget that is only reported. */
export const verdict = (c: Check) =>
  c.ok ? 'ok  ' : c.enforced ? 'MISS' : 'miss (not enforced yet)';

/** The checks that fail the run: missed and enforced. */
export const missed = (checks: readonly Check[]) => checks.filter((c) => !c.ok && c.enforced);

/** The budget checks in the order they are made, and the function that makes one. */
export function budgetChecks(): { checks: Check[]; check: CheckBudget } {
  const checks: Check[] = [];
  const check: CheckBudget = (name, value, limit, op = '<=', enforced = true) => {
    const ok = op === '<=' ? value <= limit : op === '<' ? value < limit : value === limit;
    checks.push({ name, value: round(value, 3), budget: `${op} ${limit}`, ok, enforced });
  };
  return { checks, check };
}

/** The results as one table on stdout, then every budget check. */
export function printTable(r: {
  bundlesKiB: Record<string, number>;
  coldStartMs: Record<string, number>;
  warmMs: {
    requests: number;
    broker: { p50: number; p99: number };
    direct: { p50: number; p99: number };
  };
  reuseStsCallsPer1000: Record<string, number>;
  memory: Record<string, number>;
  http: EndToEnd;
  cli?: CliResults;
  serve?: ServeResults;
  checks: Check[];
}) {
  const rows: [string, string, string][] = [
    [
      'bundle KiB (minified)',
      Object.entries(r.bundlesKiB)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
      '',
    ],
    [
      'cold start: init ms (process start to ready)',
      `broker ${r.coldStartMs.brokerInitMedian}`,
      `baseline ${r.coldStartMs.baselineInitMedian}`,
    ],
    [
      'cold start: bundle import alone ms',
      `broker ${r.coldStartMs.brokerImportMedian}`,
      `baseline ${r.coldStartMs.baselineImportMedian}`,
    ],
    [
      'cold start: first request ms',
      `broker ${r.coldStartMs.brokerFirstRequestMedian}`,
      `baseline ${r.coldStartMs.baselineFirstRequestMedian}`,
    ],
    [
      'cold path: init + first request ms p50 / p99',
      `broker ${r.coldStartMs.coldPathBrokerMedian} / ${r.coldStartMs.coldPathBrokerP99}`,
      `baseline ${r.coldStartMs.coldPathBaselineMedian} / ${r.coldStartMs.coldPathBaselineP99}`,
    ],
    [
      'cold path: SDK alone, the same three calls, ms p50 / p99',
      `${r.coldStartMs.coldPathSameCallsMedian} / ${r.coldStartMs.coldPathSameCallsP99}`,
      `${r.coldStartMs.sameCallsRatio}× baseline`,
    ],
    [
      `warm ms p50 / p99 (${r.warmMs.requests} each)`,
      `broker ${r.warmMs.broker.p50} / ${r.warmMs.broker.p99}`,
      `direct ${r.warmMs.direct.p50} / ${r.warmMs.direct.p99}`,
    ],
    [
      'STS calls per 1000 repeats',
      `reuse on ${r.reuseStsCallsPer1000.on}`,
      `reuse off ${r.reuseStsCallsPer1000.off}`,
    ],
    [
      `memory over ${r.memory.requests} requests`,
      `RSS ${(r.memory.rssGrowthMiB ?? 0) < 0 ? '' : '+'}${r.memory.rssGrowthMiB} MiB`,
      `peak ${r.memory.peakRssMiB} MiB`,
    ],
    ...(
      [
        ['broker', r.http.broker],
        ['GET /health (serverless-offline floor)', r.http.offlineHealth],
        ['direct AssumeRole', r.http.directAssumeRole],
        ['direct GetCallerIdentity+AssumeRole', r.http.directIdentityAndAssumeRole],
      ] as const
    ).map(([label, x]): [string, string, string] => [
      `http ${r.http.connections} conns ${r.http.seconds}s: ${label}`,
      `${x.perSecond}/s, p50 ${x.p50Ms} ms, p99 ${x.p99Ms} ms`,
      `${x.ok} ok, ${x.non2xx} non-2xx, ${x.errors} errors`,
    ]),
    ...cliRows(r.cli, r.serve),
  ];
  const w0 = Math.max(...rows.map((x) => x[0].length));
  const w1 = Math.max(...rows.map((x) => x[1].length));
  console.log(`\n${'measurement'.padEnd(w0 + 2)}${'rolebroker'.padEnd(w1 + 2)}baseline`);
  for (const [a, b, c] of rows) console.log(`${a.padEnd(w0 + 2)}${b.padEnd(w1 + 2)}${c}`);
  printChecks(r.checks);
}

// What the table shows of the CLI phases (bench/phases/cli.ts and serve.ts return more; those
// import CheckBudget from here, so their types are not imported back).
interface Medians {
  p50: number;
  p99: number;
}
interface CliResults {
  hit: { runs: number; cliMs: Medians; nodeMs: Medians };
  miss: { runs: number; cliMs: Medians; sdkAssumeRoleMs: Medians };
}
interface ServeResults {
  gets: number;
  nodeRuns: number;
  answerMs: Medians;
  nodeMs: { p50: number };
}

/** The rows of the CLI phases: the built CLI against `node -e 0` and a bare SDK call. */
function cliRows(cli?: CliResults, serve?: ServeResults): [string, string, string][] {
  const rows: [string, string, string][] = [];
  if (cli) {
    const { hit, miss } = cli;
    rows.push(
      [
        `CLI credential_process cache hit ms, median of ${hit.runs}`,
        `cli ${hit.cliMs.p50} (p99 ${hit.cliMs.p99})`,
        `node -e 0 ${hit.nodeMs.p50} (p99 ${hit.nodeMs.p99})`,
      ],
      [
        `CLI miss (broker round trip) ms, median of ${miss.runs}`,
        `cli ${miss.cliMs.p50} (p99 ${miss.cliMs.p99})`,
        `bare SDK AssumeRole ${miss.sdkAssumeRoleMs.p50} (p99 ${miss.sdkAssumeRoleMs.p99})`,
      ],
    );
  }
  if (serve) {
    rows.push([
      `serve answer ms, ${serve.gets} GETs kept alive`,
      `p50 ${serve.answerMs.p50}, p99 ${serve.answerMs.p99}`,
      `node -e 0 ${serve.nodeMs.p50} (median of ${serve.nodeRuns})`,
    ]);
  }
  return rows;
}

/** Every budget check, one line each. */
export function printChecks(checks: Check[]) {
  console.log('\nbudget');
  for (const c of checks) console.log(`${verdict(c)}  ${c.name}: ${c.value} (${c.budget})`);
}
