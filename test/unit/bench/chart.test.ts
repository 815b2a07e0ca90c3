import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { type ChartInput, renderChart } from '../../../bench/chart';

/** The SVG parsed by Python's XML parser (throws if it is not well-formed): tags and texts. */
function parse(svg: string): { root: string; rects: number; texts: string[] } {
  const script = `
import json, sys, xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.read())
ns = "{http://www.w3.org/2000/svg}"
print(json.dumps({
  "root": root.tag,
  "rects": len(root.findall(ns + "rect")),
  "texts": ["".join(t.itertext()) for t in root.iter(ns + "text")],
}))`;
  const run = spawnSync(process.env.PYTHON ?? 'python3', ['-c', script], {
    input: svg,
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`not well-formed XML: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

const SAMPLE: ChartInput = {
  date: '2026-12-02T10:00:00.000Z',
  machine: { node: 'v20.20.2', cpus: 2 },
  coldStartMs: {
    brokerInitMedian: 58.38,
    baselineInitMedian: 46.73,
    brokerFirstRequestMedian: 50.39,
    baselineFirstRequestMedian: 24.55,
    runs: 25,
  },
  warmMs: {
    requests: 2000,
    broker: { p50: 3.464, p90: 4.51, p99: 7.117 },
    direct: { p50: 3.242, p90: 4.2, p99: 6.69 },
  },
  cli: {
    hit: { runs: 20, cliMs: { p50: 71.2 }, nodeMs: { p50: 58.1 } },
    miss: { runs: 10, cliMs: { p50: 690.5 }, sdkAssumeRoleMs: { p50: 402.3 } },
  },
  serve: { gets: 200, answerMs: { p50: 0.213 }, nodeMs: { p50: 59.2 } },
};

describe('the bench chart', () => {
  it('is well-formed SVG with every figure of the results', () => {
    const { root, rects, texts } = parse(renderChart(SAMPLE));
    expect(root).toBe('{http://www.w3.org/2000/svg}svg');
    const all = texts.join('\n');
    for (const figure of [
      '3.464 ms',
      '4.51 ms',
      '7.117 ms',
      '3.242 ms',
      '6.69 ms',
      '58.38 + 50.39 ms',
      '46.73 + 24.55 ms',
      '58.1 ms',
      '71.2 ms (1.23× node)',
      '0.213 ms (0.0036× node)',
      '690.5 ms',
      '402.3 ms',
      'hit budget 1.5× (87.15 ms)',
    ]) {
      expect(all).toContain(figure);
    }
    expect(texts[0]).toContain('2026-12-02, Node v20.20.2, 2 cores');
    // The background, 6 warm bars, 2 × 2 cold segments, 4 CLI bars, 2 miss bars.
    expect(rects).toBe(1 + 6 + 4 + 4 + 2);
  });

  it('reads the cold path when results have one, and draws what is there', () => {
    const { warmMs, ...rest } = SAMPLE;
    const input = {
      ...rest,
      cli: undefined,
      serve: undefined,
      coldStartMs: {
        ...SAMPLE.coldStartMs,
        coldPath: { brokerMedian: 101.5, baseline: { median: 70.25 } },
      },
    };
    const { texts } = parse(renderChart(input));
    const all = texts.join('\n');
    expect(all).toContain('cold path 101.5 ms');
    expect(all).toContain('cold path 70.25 ms');
    expect(all).not.toContain('Warm request');
    expect(all).not.toContain('node -e 0');
  });

  it("reads the bench's cold path figures (coldStartMs.coldPath<Side>Median)", () => {
    const coldStartMs = {
      ...SAMPLE.coldStartMs,
      coldPathBrokerMedian: 118.4,
      coldPathBaselineMedian: 80.12,
      coldPathSameCallsMedian: 104.6,
    };
    const { rects, texts } = parse(renderChart({ ...SAMPLE, coldStartMs }));
    const all = texts.join('\n');
    expect(all).toContain('58.38 + 50.39 ms, cold path 118.4 ms');
    expect(all).toContain('46.73 + 24.55 ms, cold path 80.12 ms');
    expect(all).toContain('SDK alone, the same three calls');
    expect(all).toContain('cold path 104.6 ms');
    expect(rects).toBe(1 + 6 + 4 + 1 + 4 + 2);
  });

  it('stays well-formed with nothing to draw and with markup in a field', () => {
    expect(parse(renderChart({})).rects).toBe(1);
    const { texts } = parse(renderChart({ machine: { node: '<v20 & "x">' } }));
    expect(texts[0]).toContain('<v20 & "x">');
  });
});
