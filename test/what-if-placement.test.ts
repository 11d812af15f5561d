/**
 * The official placement in the what-if (src/rewards/what-if.ts): a step's rollouts dealt over
 * W devices x B slots as the official k-repeat sampler deals them, and the diversity term computed
 * per device batch. Group-mean diversity cancels from the advantages in one reward batch; computed
 * per device batch it does not.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { officialPlacement, withDiversity, whatIf } from '../src/rewards/what-if';
import { parseRewardConfig } from '../src/rewards/config';
import type { RewardMeasurements } from '../src/rewards/compose';
import { UserError } from '../src/util/errors';

test('officialPlacement: every device gets B slots, seeded, a group spread over devices', () => {
  const groups = [...Array(48).keys()].map((i) => Math.floor(i / 8)); // 6 prompts x G = 8, as W = 8 devices x B = 6
  const d = officialPlacement(48, { devices: 8, perDevice: 6, seed: 0 });
  assert.deepEqual(d, officialPlacement(48, { devices: 8, perDevice: 6, seed: 0 }));
  assert.notDeepEqual(d, officialPlacement(48, { devices: 8, perDevice: 6, seed: 1 }));
  for (let w = 0; w < 8; w++) assert.equal(d.filter((x) => x === w).length, 6);
  const spread = [...new Set(groups)].map((g) => new Set(d.filter((_, i) => groups[i] === g)).size);
  assert.ok(spread.every((s) => s >= 2), `a group's copies land on several devices: ${spread}`);
  assert.throws(() => officialPlacement(40, { devices: 8, perDevice: 6, seed: 0 }), (e: unknown) => e instanceof UserError && /do not fill 8 devices x 6 slots/.test((e as Error).message));
});

test('group-mean diversity cancels from the advantages; per device batch it moves them (placement noise)', () => {
  const n = 48, groups = [...Array(n).keys()].map((i) => Math.floor(i / 8));
  const vqa = Float64Array.from({ length: n }, (_, i) => ((i * 37) % 11) / 10);
  const groupMean = Float64Array.from(groups, (g) => 0.5 + 0.05 * g); // constant within each group
  const devices = officialPlacement(n, { devices: 8, perDevice: 6, seed: 0 });
  const perDevice = Float64Array.from(devices, (w) => 0.4 + 0.03 * w); // constant within each device batch
  const m: RewardMeasurements = { n, groups, raw: { vqa, diversity_lpips: groupMean }, seconds: {} };
  const without = parseRewardConfig({ weights: { vqa: 1, clip_t: 0, diversity_lpips: 0, dino_penalty: 0 } });
  const withDiv = parseRewardConfig({ weights: { vqa: 1, clip_t: 0, diversity_lpips: 0.1, dino_penalty: 0 } });
  const opts = { scale: 'group' as const };
  const here = whatIf(m, groups, without, withDiv, opts).summary;
  assert.ok(here.meanAbsAdvantageChange < 1e-12, `one reward batch: the term cancels (${here.meanAbsAdvantageChange})`);
  const official = whatIf(withDiversity(m, perDevice), groups, without, withDiv, opts).summary;
  assert.ok(official.meanAbsAdvantageChange > 1e-3, `per device batch: the term moves advantages (${official.meanAbsAdvantageChange})`);
  assert.throws(() => withDiversity(m, new Float64Array(3)), /3 values for 48 rollouts/);
});
