// One benchmark run in a fresh Node process (spawned by bench/run.ts, never run by hand):
// loads a built Lambda bundle and drives its handler in-process. Plain JavaScript so that
// nothing but Node and the bundle is measured. Reads a JSON job from argv[2], writes the
// result to argv[3]; between phases it tells the parent (IPC) so the parent can read its
// request counters.
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const job = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const outPath = process.argv[3];

let invocation = 0;
function context() {
  invocation += 1;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'rolebroker-bench-credentials',
    functionVersion: '$LATEST',
    invokedFunctionArn:
      'arn:aws:lambda:us-east-1:111111111111:function:rolebroker-bench-credentials',
    memoryLimitInMB: '256',
    awsRequestId: `bench-${invocation}`,
    logGroupName: '/aws/lambda/rolebroker-bench-credentials',
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => 20_000,
  };
}

/** The job's API Gateway event for `callerArn`, with a fresh request id. */
function eventFor(callerArn) {
  const event = structuredClone(job.event);
  event.requestContext.requestId = `bench-req-${invocation + 1}`;
  event.requestContext.requestTimeEpoch = Date.now();
  if (callerArn) event.requestContext.identity.userArn = callerArn;
  return event;
}

/** Tells the parent which phase starts and waits until it has taken note. */
function phase(name) {
  return new Promise((resolve) => {
    process.once('message', resolve);
    process.send({ phase: name });
  });
}

async function load(path) {
  return (await import(pathToFileURL(path).href)).handler;
}

async function invoke(handler, event) {
  const res = await handler(event, context());
  if (res.statusCode !== 200) throw new Error(`handler answered ${res.statusCode}: ${res.body}`);
  return res;
}

const ms = (start) => Number(process.hrtime.bigint() - start) / 1e6;
const mib = (bytes) => bytes / 1024 / 1024;

async function cold() {
  const t0 = performance.now();
  const handler = await load(job.bundle);
  const t1 = performance.now();
  await invoke(handler, eventFor());
  const t2 = performance.now();
  // performance.now() counts from process start.
  return { initMs: t1, importMs: t1 - t0, firstRequestMs: t2 - t1 };
}

/** Broker requests and bare AssumeRole calls, interleaved in random order, timed one by one. */
async function latency() {
  const handler = await load(job.bundle);
  const { AssumeRoleCommand, STSClient } = await import('@aws-sdk/client-sts');
  const direct = new STSClient({ credentials: job.direct.credentials });
  const callDirect = () => direct.send(new AssumeRoleCommand(job.direct.input));
  for (let i = 0; i < job.warmup; i++) {
    await invoke(handler, eventFor());
    await callDirect();
  }
  await phase('measure');
  const broker = [];
  const bare = [];
  for (let i = 0; i < job.count; i++) {
    const event = eventFor();
    const brokerFirst = Math.random() < 0.5;
    for (const which of brokerFirst ? ['broker', 'direct'] : ['direct', 'broker']) {
      const start = process.hrtime.bigint();
      if (which === 'broker') {
        await invoke(handler, event);
        broker.push(ms(start));
      } else {
        await callDirect();
        bare.push(ms(start));
      }
    }
  }
  await phase('done');
  return { broker, direct: bare };
}

/** The same request from the same caller, `count` times in a row. */
async function repeat() {
  const handler = await load(job.bundle);
  await phase('measure');
  for (let i = 0; i < job.count; i++) await invoke(handler, eventFor());
  await phase('done');
  return {};
}

/** RSS before and after `count` requests from a rotating pool of callers. */
async function memory() {
  const handler = await load(job.bundle);
  const caller = (i) => `${job.callerPrefix}${i % job.callers}`;
  for (let i = 0; i < job.warmup; i++) await invoke(handler, eventFor(caller(i)));
  global.gc();
  const before = process.memoryUsage();
  let peakRss = before.rss;
  for (let i = 0; i < job.count; i++) {
    await invoke(handler, eventFor(caller(job.warmup + i)));
    if (i % 500 === 0) peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }
  global.gc();
  const after = process.memoryUsage();
  return {
    rssBeforeMiB: mib(before.rss),
    rssAfterMiB: mib(after.rss),
    rssGrowthMiB: mib(after.rss - before.rss),
    heapGrowthMiB: mib(after.heapUsed - before.heapUsed),
    peakRssMiB: mib(Math.max(peakRss, after.rss)),
  };
}

const modes = { cold, latency, repeat, memory };
const result = await modes[job.mode]();
writeFileSync(outPath, JSON.stringify(result));
process.exit(0);
