/**
 * `npm run bench:chart`: draws docs/bench.svg from bench/results.json (also the last step of
 * `npm run bench`). Plain SVG written here: horizontal bars, one panel per comparison, each
 * on its own linear scale, every bar labelled with its figure.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUDGET, ROOT } from './config';

/** What the chart reads of bench/results.json; every part may be missing. */
export interface ChartInput {
  date?: string;
  machine?: { node?: string; cpus?: number };
  coldStartMs?: Record<string, unknown>;
  coldPath?: unknown;
  warmMs?: {
    requests?: number;
    broker?: Partial<Record<'p50' | 'p90' | 'p99', number>>;
    direct?: Partial<Record<'p50' | 'p90' | 'p99', number>>;
  };
  cli?: {
    hit?: { runs?: number; cliMs?: { p50?: number }; nodeMs?: { p50?: number } };
    miss?: { runs?: number; cliMs?: { p50?: number }; sdkAssumeRoleMs?: { p50?: number } };
  };
  serve?: { gets?: number; answerMs?: { p50?: number }; nodeMs?: { p50?: number } };
}

/** aws-vault's `export --format=json` from its session cache: issue 14's measurement. */
const AWS_VAULT_MS = 12;

const WIDTH = 840;
const LABEL = 230;
const BAR = 330;
const ROW = 22;
const COLORS = { broker: '#2b6cb0', base: '#a0aec0', second: '#90cdf4', scale: '#e2e8f0' };

interface Segment {
  ms: number;
  color: string;
}
interface Row {
  label: string;
  segments: Segment[];
  /** Shown after the bar; default: the total in ms. */
  text?: string;
}
interface Panel {
  title: string;
  rows: Row[];
  /** Dashed vertical lines across the panel: budgets. */
  marks?: { ms: number; label: string }[];
  note?: string;
}

const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;

const xml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** A figure as the bench rounds it: at most three decimals, no trailing zeros. */
const ms = (v: number) => `${Number(v.toFixed(v < 10 ? 3 : v < 100 ? 2 : 1))} ms`;

/**
 * The whole cold path (init + first request) of one side, where the run measured it in one
 * process: `coldStartMs.coldPath<Side>Median`, or a `coldPath` object (older or newer shapes).
 */
function coldPathTotal(input: ChartInput, side: 'broker' | 'baseline'): number | undefined {
  const Side = side === 'broker' ? 'Broker' : 'Baseline';
  const flat = num(input.coldStartMs?.[`coldPath${Side}Median`]);
  if (flat !== undefined) return flat;
  const cold = (input.coldStartMs?.coldPath ?? input.coldPath) as
    | Record<string, unknown>
    | undefined;
  if (typeof cold !== 'object' || cold === null) return undefined;
  const nested = cold[side] as Record<string, unknown> | number | undefined;
  return (
    num(cold[`${side}Median`]) ??
    num(cold[`${side}Ms`]) ??
    num(nested) ??
    (typeof nested === 'object' && nested !== null
      ? (num(nested.median) ?? num(nested.p50))
      : undefined)
  );
}

function warmPanel(input: ChartInput): Panel | undefined {
  const { broker, direct, requests } = input.warmMs ?? {};
  if (!broker || !direct) return undefined;
  const rows: Row[] = [];
  for (const p of ['p50', 'p90', 'p99'] as const) {
    const b = num(broker[p]);
    const d = num(direct[p]);
    if (b === undefined || d === undefined) continue;
    rows.push(
      { label: `broker ${p}`, segments: [{ ms: b, color: COLORS.broker }] },
      { label: `direct AssumeRole ${p}`, segments: [{ ms: d, color: COLORS.base }] },
    );
  }
  return {
    title: `Warm request, in-process handler vs a bare AssumeRole (${requests ?? '?'} each)`,
    rows,
  };
}

function coldPanel(input: ChartInput): Panel | undefined {
  const c = input.coldStartMs ?? {};
  const rows: Row[] = [];
  for (const [side, label, color] of [
    ['broker', 'broker', COLORS.broker],
    ['baseline', 'baseline', COLORS.base],
  ] as const) {
    const init = num(c[`${side}InitMedian`]);
    const first = num(c[`${side}FirstRequestMedian`]);
    if (init === undefined || first === undefined) continue;
    const total = coldPathTotal(input, side);
    rows.push({
      label: `${label}, init + first request`,
      segments: [
        { ms: init, color },
        { ms: first, color: side === 'broker' ? COLORS.second : COLORS.scale },
      ],
      text: `${init} + ${ms(first)}${total === undefined ? '' : `, cold path ${ms(total)}`}`,
    });
  }
  // The SDK alone making the broker's three calls, measured as one span (init + first request).
  const same = num(c.coldPathSameCallsMedian);
  if (same !== undefined) {
    rows.push({
      label: 'SDK alone, the same three calls',
      segments: [{ ms: same, color: COLORS.base }],
      text: `cold path ${ms(same)}`,
    });
  }
  if (!rows.length) return undefined;
  return {
    title: `Cold start, medians of ${num(c.runs) ?? '?'} fresh processes (dark: init, light: first request; baseline: one AssumeRole; SDK alone: init + first request as one span)`,
    rows,
  };
}

function cliPanel(input: ChartInput): Panel | undefined {
  const hit = input.cli?.hit;
  const serve = input.serve;
  const node = num(hit?.nodeMs?.p50) ?? num(serve?.nodeMs?.p50);
  if (node === undefined) return undefined;
  const rows: Row[] = [{ label: 'node -e 0', segments: [{ ms: node, color: COLORS.base }] }];
  const cliHit = num(hit?.cliMs?.p50);
  if (cliHit !== undefined) {
    rows.push({
      label: 'credential_process, cache hit',
      segments: [{ ms: cliHit, color: COLORS.broker }],
      text: `${ms(cliHit)} (${(cliHit / node).toFixed(2)}× node)`,
    });
  }
  const answer = num(serve?.answerMs?.p50);
  const serveNode = num(serve?.nodeMs?.p50) ?? node;
  if (answer !== undefined) {
    rows.push({
      label: 'serve answer, p50',
      segments: [{ ms: answer, color: COLORS.broker }],
      text: `${ms(answer)} (${(answer / serveNode).toFixed(4)}× node)`,
    });
  }
  rows.push({
    label: 'aws-vault export (issue 14)',
    segments: [{ ms: AWS_VAULT_MS, color: COLORS.scale }],
    text: `${ms(AWS_VAULT_MS)}, 0.13× node at 87 ms there`,
  });
  return {
    title: `Credentials for one AWS CLI call, medians (${hit?.runs ?? '?'} runs, ${serve?.gets ?? '?'} GETs)`,
    rows,
    marks: [
      { ms: BUDGET.cliHitRatio * node, label: `hit budget ${BUDGET.cliHitRatio}×` },
      { ms: BUDGET.serveP50Ratio * serveNode, label: `serve budget ${BUDGET.serveP50Ratio}×` },
    ],
    note: 'aws-vault: measured for issue 14 on this machine, not in this run',
  };
}

function missPanel(input: ChartInput): Panel | undefined {
  const miss = input.cli?.miss;
  const cli = num(miss?.cliMs?.p50);
  const sdk = num(miss?.sdkAssumeRoleMs?.p50);
  if (cli === undefined || sdk === undefined) return undefined;
  return {
    title: `First call, empty cache: fresh processes, medians of ${miss?.runs ?? '?'}`,
    rows: [
      {
        label: 'CLI via the broker (local stack)',
        segments: [{ ms: cli, color: COLORS.broker }],
      },
      { label: 'bare SDK AssumeRole', segments: [{ ms: sdk, color: COLORS.base }] },
    ],
  };
}

function drawPanel(panel: Panel, top: number): { svg: string; height: number } {
  const max = Math.max(
    ...panel.rows.map((r) => r.segments.reduce((s, x) => s + x.ms, 0)),
    ...(panel.marks ?? []).map((m) => m.ms),
    1e-9,
  );
  const scale = BAR / max;
  const parts = [`<text x="10" y="${top + 16}" class="title">${xml(panel.title)}</text>`];
  let y = top + 26;
  for (const row of panel.rows) {
    parts.push(`<text x="${LABEL - 8}" y="${y + 15}" class="label">${xml(row.label)}</text>`);
    let x = LABEL;
    for (const s of row.segments) {
      const w = Math.max(1, s.ms * scale);
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${y + 3}" width="${w.toFixed(1)}" height="${ROW - 6}" fill="${s.color}"/>`,
      );
      x += w;
    }
    const total = row.segments.reduce((s, x) => s + x.ms, 0);
    parts.push(
      `<text x="${(x + 6).toFixed(1)}" y="${y + 15}">${xml(row.text ?? ms(total))}</text>`,
    );
    y += ROW;
  }
  // Behind the bars and figures: drawn second, after the title.
  const marks = (panel.marks ?? []).flatMap((mark, i) => {
    const x = (LABEL + mark.ms * scale).toFixed(1);
    return [
      `<line x1="${x}" y1="${top + 24}" x2="${x}" y2="${y + 2 + i * 14}" class="mark"/>`,
      `<text x="${x}" y="${y + 12 + i * 14}" class="note">${xml(`${mark.label} (${ms(mark.ms)})`)}</text>`,
    ];
  });
  parts.splice(1, 0, ...marks);
  y += (panel.marks?.length ?? 0) * 14;
  if (panel.note) {
    parts.push(`<text x="${LABEL}" y="${y + 12}" class="note">${xml(panel.note)}</text>`);
    y += 16;
  }
  return { svg: parts.join('\n'), height: y - top + 10 };
}

/** The chart of one bench run as an SVG document. */
export function renderChart(input: ChartInput): string {
  const panels = [warmPanel(input), coldPanel(input), cliPanel(input), missPanel(input)].filter(
    (p): p is Panel => p !== undefined && p.rows.length > 0,
  );
  const body: string[] = [];
  let top = 30;
  for (const panel of panels) {
    const { svg, height } = drawPanel(panel, top);
    body.push(svg);
    top += height;
  }
  const machine = input.machine
    ? `, Node ${input.machine.node ?? '?'}, ${input.machine.cpus ?? '?'} cores`
    : '';
  const heading = `rolebroker bench ${input.date?.slice(0, 10) ?? ''}${machine} (ms; each panel its own scale)`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${top}" viewBox="0 0 ${WIDTH} ${top}" font-family="sans-serif" font-size="12">
<title>${xml(heading)}</title>
<style>.title{font-weight:bold}.label{text-anchor:end}.note{fill:#718096;font-size:11px}.mark{stroke:#c53030;stroke-dasharray:4 3}</style>
<rect width="100%" height="100%" fill="#fff"/>
<text x="10" y="18" class="title">${xml(heading)}</text>
${body.join('\n')}
</svg>
`;
}

/** Writes the chart of `results` to docs/bench.svg (or `path`). */
export async function writeChart(results: unknown, path = join(ROOT, 'docs/bench.svg')) {
  await writeFile(path, renderChart(results as ChartInput));
  console.log(`chart written to ${path}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const results = JSON.parse(await readFile(join(ROOT, 'bench/results.json'), 'utf8'));
  await writeChart(results);
}
