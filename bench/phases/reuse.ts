import type { Counts } from '../../scripts/relay';
import { ARNS } from '../../scripts/seed';
import { SIZES } from '../config';
import { note } from '../note';
import { runWorker } from '../run-worker';
import type { BenchWorld } from '../world';
import type { Bundles } from './bundles';

/** Phase 4: per-caller session reuse, STS calls for 1,000 identical requests, on and off. */
export async function measureReuse(
  world: BenchWorld,
  bundles: Bundles,
): Promise<Record<string, number>> {
  note(`session reuse on and off`);
  const reuse: Record<string, number> = {};
  for (const setting of ['on', 'off']) {
    const run = await runWorker(
      {
        mode: 'repeat',
        bundle: bundles.credentials,
        event: world.brokerEvent(ARNS.deployTarget),
        count: SIZES.repeatRequests,
      },
      { ...world.env, ROLEBROKER_SESSION_REUSE: setting },
      world.counts,
    );
    reuse[setting] = (run.phases.measure as Counts).targetAssumeRole;
  }
  return reuse;
}
