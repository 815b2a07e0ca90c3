/**
 * `npm run bench`: the broker's performance budgets (issue 5), measured side by side with a
 * baseline in the same run, printed as one table and written to bench/results.json. Exits 1
 * when a budget is missed. Everything runs on 127.0.0.1 against moto.
 *
 *   npm run bench                 # full run (a few minutes)
 *   npm run bench -- --quick      # fewer samples and 5 s load runs: checks the plumbing only
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { build } from 'esbuild';
import { parseCallerArn, sessionNameFor } from '../lib/principals';
import { EMULATOR_REGION, startEmulator } from '../scripts/emulator';
import { restEvent } from '../scripts/events';
import { type Counts, startCountingRelay } from '../scripts/relay';
import { ARNS, BROKER_ACCOUNT, EXTERNAL_IDS, seedDemo } from '../scripts/seed';
import { runHttpBench } from './http';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');

const SIZES = {
  warmRequests: quick ? 300 : 2_000,
  warmup: quick ? 50 : 200,
  coldRuns: quick ? 5 : 25,
  repeatRequests: 1_000,
  memoryRequests: quick ? 2_000 : 20_000,
  memoryCallers: 5_000,
  memoryWarmup: quick ? 500 : 3_000,
  httpSeconds: quick ? 5 : 30,
  httpConnections: 50,
};

const BUDGET = {
  warmP50Ratio: 1.15,
  warmP99Ratio: 1.3,
  coldInitRatio: 1.3,
  credentialsBundleKiB: 400,
  rssGrowthMiB: 10,
  memoryMiB: 256,
};

const FUNCTIONS = {
  credentials: 'functions/credentials.ts',
  health: 'functions/health.ts',
  audit: 'functions/audit.ts',
  scheduledExample: 'functions/scheduled-example.ts',
} as const;

const lambdaOptions = createRequire(import.meta.url)('../scripts/sls/esbuild.cjs') as () => Record<
  string,
  unknown
>;

/** Bundles `entry` exactly as serverless-esbuild does for a function; returns the size in bytes. */
async function bundle(entry: string, outfile: string): Promise<number> {
  const { exclude: _exclude, outputFileExtension: _ext, ...options } = lambdaOptions();
  await build({ ...options, entryPoints: [join(ROOT, entry)], outfile, logLevel: 'warning' });
  return (await stat(outfile)).size;
}

/** Progress on stderr; the table goes to stdout. */
const note = (message: string) => process.stderr.write(`bench: ${message}\n`);

function percentile(sorted: readonly number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

function summary(samples: readonly number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

const median = (xs: readonly number[]) => summary(xs).p50;
const round = (x: number, digits = 2) => Number(x.toFixed(digits));

interface WorkerRun {
  result: Record<string, unknown>;
  /** Relay counts per phase the worker announced (from its start to the next phase). */
  phases: Record<string, Counts>;
}

/** Runs bench/worker.mjs once in a fresh Node process. */
async function runWorker(
  job: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  counts: () => Counts,
  nodeArgs: string[] = [],
): Promise<WorkerRun> {
  const dir = await mkdtemp(join(tmpdir(), 'rolebroker-bench-job-'));
  try {
    const jobPath = join(dir, 'job.json');
    const outPath = join(dir, 'out.json');
    await writeFile(jobPath, JSON.stringify(job));
    const phases: Record<string, Counts> = {};
    let current: { name: string; at: Counts } | undefined;
    const child: ChildProcess = spawn(
      process.execPath,
      [...nodeArgs, join(ROOT, 'bench/worker.mjs'), jobPath, outPath],
      { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] },
    );
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    child.on('message', (m: { phase: string }) => {
      const now = counts();
      if (current) phases[current.name] = diff(now, current.at);
      current = { name: m.phase, at: now };
      child.send({ ok: true });
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    if (code !== 0) throw new Error(`bench worker (${job.mode}) exited ${code}:\n${stderr}`);
    return { result: JSON.parse(await readFile(outPath, 'utf8')), phases };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function diff(a: Counts, b: Counts): Counts {
  return {
    ssm: a.ssm - b.ssm,
    hubAssumeRole: a.hubAssumeRole - b.hubAssumeRole,
    targetAssumeRole: a.targetAssumeRole - b.targetAssumeRole,
    other: a.other - b.other,
  };
}

interface Check {
  name: string;
  value: number;
  budget: string;
  ok: boolean;
}

async function main() {
  const work = await mkdtemp(join(tmpdir(), 'rolebroker-bench-'));
  const emulator = await startEmulator();
  const checks: Check[] = [];
  const check = (name: string, value: number, limit: number, op: '<=' | '<' | '==' = '<=') => {
    const ok = op === '<=' ? value <= limit : op === '<' ? value < limit : value === limit;
    checks.push({ name, value: round(value, 3), budget: `${op} ${limit}`, ok });
  };
  try {
    note(`building the Lambda bundles`);
    // 1. Bundles, built the way serverless-esbuild builds them for Lambda.
    const sizes: Record<string, number> = {};
    for (const [name, entry] of Object.entries(FUNCTIONS)) {
      sizes[name] = round((await bundle(entry, join(work, `${name}.mjs`))) / 1024, 1);
    }
    sizes.baseline = round(
      (await bundle('bench/baseline.ts', join(work, 'baseline.mjs'))) / 1024,
      1,
    );
    check(
      'credentials bundle KiB',
      sizes.credentials ?? Number.NaN,
      BUDGET.credentialsBundleKiB,
      '<',
    );

    note(`starting moto and seeding the demo world`);
    // 2. The demo world, behind a relay that counts what reaches moto.
    const world = await seedDemo(emulator.endpoint);
    const relay = await startCountingRelay(emulator.endpoint, [ARNS.hubRole]);
    const caller = parseCallerArn(ARNS.demoCaller);
    if (!caller) throw new Error('demo caller ARN does not parse');
    const viaHub = {
      RoleArn: ARNS.deployTarget,
      RoleSessionName: sessionNameFor(caller),
      DurationSeconds: 900,
      ExternalId: EXTERNAL_IDS.deploy,
      SourceIdentity: sessionNameFor(caller),
    };
    // What the baseline handler assumes: one hop with the broker's own credentials.
    const oneHop = {
      RoleArn: ARNS.localTarget,
      RoleSessionName: 'bench-baseline',
      DurationSeconds: 900,
      ExternalId: EXTERNAL_IDS.local,
    };
    const hub = await new STSClient({
      region: EMULATOR_REGION,
      endpoint: emulator.endpoint,
      credentials: world.broker,
    }).send(
      new AssumeRoleCommand({
        RoleArn: ARNS.hubRole,
        RoleSessionName: 'rolebroker-hub',
        DurationSeconds: 3600,
      }),
    );
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      AWS_REGION: EMULATOR_REGION,
      AWS_ACCESS_KEY_ID: world.broker.accessKeyId,
      AWS_SECRET_ACCESS_KEY: world.broker.secretAccessKey,
      AWS_SESSION_TOKEN: world.broker.sessionToken,
      AWS_ENDPOINT_URL: relay.endpoint,
      AWS_LAMBDA_FUNCTION_NAME: 'rolebroker-bench-credentials',
      ROLEBROKER_AUTH: 'iam',
      // Longer than any phase, so a warm phase never straddles a grant reload.
      ROLEBROKER_GRANTS_TTL_SECONDS: '600',
      POWERTOOLS_SERVICE_NAME: 'rolebroker',
      POWERTOOLS_METRICS_NAMESPACE: 'RoleBroker',
    };
    const brokerEvent = (roleArn: string, userArn = ARNS.demoCaller) =>
      restEvent({ body: { roleArn }, userArn });
    const credentialsBundle = join(work, 'credentials.mjs');

    note(`cold start, ${SIZES.coldRuns} fresh processes each`);
    // 3. Cold start: fresh processes, broker and baseline alternating. Init is process start to
    // handler loaded, the span Lambda reports as Init Duration; the import alone is shown too.
    const cold = {
      broker: [] as number[],
      brokerImport: [] as number[],
      baselineImport: [] as number[],
      baseline: [] as number[],
      brokerFirst: [] as number[],
      baselineFirst: [] as number[],
    };
    for (let i = 0; i < SIZES.coldRuns; i++) {
      const b = await runWorker(
        { mode: 'cold', bundle: credentialsBundle, event: brokerEvent(ARNS.deployTarget) },
        env,
        relay.counts,
      );
      const base = await runWorker(
        { mode: 'cold', bundle: join(work, 'baseline.mjs'), event: brokerEvent(ARNS.deployTarget) },
        { ...env, BENCH_ASSUME_ROLE_INPUT: JSON.stringify(oneHop) },
        relay.counts,
      );
      cold.broker.push(b.result.initMs as number);
      cold.brokerImport.push(b.result.importMs as number);
      cold.brokerFirst.push(b.result.firstRequestMs as number);
      cold.baseline.push(base.result.initMs as number);
      cold.baselineImport.push(base.result.importMs as number);
      cold.baselineFirst.push(base.result.firstRequestMs as number);
    }
    const coldRatio = median(cold.broker) / median(cold.baseline);
    check('cold start init, broker/baseline (median)', coldRatio, BUDGET.coldInitRatio);

    note(`warm path, ${SIZES.warmRequests} requests each after ${SIZES.warmup} warm-up`);
    // 4. Warm path: in-process handler vs bare AssumeRole, same endpoint, interleaved.
    const warm = await runWorker(
      {
        mode: 'latency',
        bundle: credentialsBundle,
        event: brokerEvent(ARNS.deployTarget),
        warmup: SIZES.warmup,
        count: SIZES.warmRequests,
        direct: {
          input: viaHub,
          credentials: {
            accessKeyId: hub.Credentials?.AccessKeyId,
            secretAccessKey: hub.Credentials?.SecretAccessKey,
            sessionToken: hub.Credentials?.SessionToken,
          },
        },
      },
      { ...env, ROLEBROKER_SESSION_REUSE: 'off' },
      relay.counts,
    );
    const brokerWarm = summary(warm.result.broker as number[]);
    const directWarm = summary(warm.result.direct as number[]);
    const warmCounts = warm.phases.measure as Counts;
    check('warm p50, broker/direct', brokerWarm.p50 / directWarm.p50, BUDGET.warmP50Ratio);
    check('warm p99, broker/direct', brokerWarm.p99 / directWarm.p99, BUDGET.warmP99Ratio);
    check('warm SSM calls', warmCounts.ssm, 0, '==');
    check('warm hub AssumeRole calls', warmCounts.hubAssumeRole, 0, '==');
    // Broker and direct both make target calls: the broker's share is the total minus direct's.
    const brokerStsPerRequest =
      (warmCounts.targetAssumeRole - SIZES.warmRequests) / SIZES.warmRequests;
    check('warm STS calls per broker request', brokerStsPerRequest, 1, '==');

    note(`session reuse on and off`);
    // 5. Per-caller reuse: STS calls for 1,000 identical requests, on and off.
    const reuse: Record<string, number> = {};
    for (const setting of ['on', 'off']) {
      const run = await runWorker(
        {
          mode: 'repeat',
          bundle: credentialsBundle,
          event: brokerEvent(ARNS.deployTarget),
          count: SIZES.repeatRequests,
        },
        { ...env, ROLEBROKER_SESSION_REUSE: setting },
        relay.counts,
      );
      reuse[setting] = (run.phases.measure as Counts).targetAssumeRole;
    }

    note(`memory over ${SIZES.memoryRequests} requests`);
    // 6. Memory: many warm requests from a rotating pool of callers (more than the reuse
    // cache holds, so every request calls STS and the cache stays at its bound).
    const memoryRun = await runWorker(
      {
        mode: 'memory',
        bundle: credentialsBundle,
        event: brokerEvent(ARNS.localTarget),
        // Past the reuse cache's bound (2,000 sessions), so growth is measured from a full cache.
        warmup: SIZES.memoryWarmup,
        count: SIZES.memoryRequests,
        callers: SIZES.memoryCallers,
        callerPrefix: `arn:aws:sts::${BROKER_ACCOUNT}:assumed-role/audit-bench/caller-`,
      },
      env,
      relay.counts,
      ['--expose-gc', '--max-old-space-size=200'],
    );
    const memory = memoryRun.result as Record<string, number>;
    check(
      `RSS growth over ${SIZES.memoryRequests} requests, MiB`,
      memory.rssGrowthMiB ?? Number.NaN,
      BUDGET.rssGrowthMiB,
      '<',
    );
    check(
      'peak RSS MiB (function memory 256 MB)',
      memory.peakRssMiB ?? Number.NaN,
      BUDGET.memoryMiB,
      '<',
    );
    await relay.close();

    note(`end to end, ${SIZES.httpConnections} connections for ${SIZES.httpSeconds} s per row`);
    // 7. End to end through serverless-offline vs direct to the same moto.
    const http = await runHttpBench({
      seconds: SIZES.httpSeconds,
      connections: SIZES.httpConnections,
    });

    const results = {
      date: new Date().toISOString(),
      quick,
      machine: { node: process.version, cpus: (await import('node:os')).cpus().length },
      bundlesKiB: sizes,
      coldStartMs: {
        brokerInitMedian: round(median(cold.broker)),
        baselineInitMedian: round(median(cold.baseline)),
        ratio: round(coldRatio, 3),
        brokerImportMedian: round(median(cold.brokerImport)),
        baselineImportMedian: round(median(cold.baselineImport)),
        importRatio: round(median(cold.brokerImport) / median(cold.baselineImport), 3),
        brokerFirstRequestMedian: round(median(cold.brokerFirst)),
        baselineFirstRequestMedian: round(median(cold.baselineFirst)),
        runs: SIZES.coldRuns,
      },
      warmMs: {
        requests: SIZES.warmRequests,
        broker: { p50: round(brokerWarm.p50, 3), p99: round(brokerWarm.p99, 3) },
        direct: { p50: round(directWarm.p50, 3), p99: round(directWarm.p99, 3) },
        ratioP50: round(brokerWarm.p50 / directWarm.p50, 3),
        ratioP99: round(brokerWarm.p99 / directWarm.p99, 3),
        upstreamCalls: { ...warmCounts, directAssumeRole: SIZES.warmRequests },
      },
      reuseStsCallsPer1000: reuse,
      memory: { requests: SIZES.memoryRequests, callers: SIZES.memoryCallers, ...mapRound(memory) },
      http,
      checks,
    };
    printTable(results);
    if (quick) {
      console.log(
        '\n--quick: too few samples to judge; budgets not enforced, results.json not written',
      );
      return;
    }
    await writeFile(join(ROOT, 'bench/results.json'), `${JSON.stringify(results, null, 2)}\n`);
    console.log('\nwritten to bench/results.json');
    const failed = checks.filter((c) => !c.ok);
    if (failed.length) {
      console.error(`\nbudget missed: ${failed.map((c) => c.name).join('; ')}`);
      process.exitCode = 1;
    }
  } finally {
    await emulator.stop();
    await rm(work, { recursive: true, force: true });
  }
}

function mapRound(o: Record<string, number>) {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, round(v)]));
}

function printTable(r: {
  bundlesKiB: Record<string, number>;
  coldStartMs: Record<string, number>;
  warmMs: {
    requests: number;
    broker: { p50: number; p99: number };
    direct: { p50: number; p99: number };
  };
  reuseStsCallsPer1000: Record<string, number>;
  memory: Record<string, number>;
  http: Awaited<ReturnType<typeof runHttpBench>>;
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
      `RSS +${r.memory.rssGrowthMiB} MiB`,
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
  ];
  const w0 = Math.max(...rows.map((x) => x[0].length));
  const w1 = Math.max(...rows.map((x) => x[1].length));
  console.log(`\n${'measurement'.padEnd(w0 + 2)}${'rolebroker'.padEnd(w1 + 2)}baseline`);
  for (const [a, b, c] of rows) console.log(`${a.padEnd(w0 + 2)}${b.padEnd(w1 + 2)}${c}`);
  console.log('\nbudget');
  for (const c of r.checks)
    console.log(`${c.ok ? 'ok  ' : 'MISS'}  ${c.name}: ${c.value} (${c.budget})`);
}

await main();
