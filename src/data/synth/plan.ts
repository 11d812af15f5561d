/**
 * Which (expression, scene, prop) each image shows. Training images cover every expression
 * and as many scenes and props as they can; test images and GRPO prompts use combinations
 * never seen in training, so they measure generalisation rather than recall.
 */
import { Rng } from '../../util/rng';
import { EXPRESSION_NAMES, PROP_NAMES, SCENE_NAMES } from './vocab';

export interface ImageLabel {
  readonly expression: string;
  readonly scene: string;
  readonly prop: string;
}

export interface ImagePlan {
  readonly train: ImageLabel[];
  readonly test: ImageLabel[];
  readonly grpo: ImageLabel[];
}

export interface PlanSizes {
  readonly train: number;
  readonly test: number;
  readonly grpo: number;
}

/** n items cycling through `all` in shuffled rounds: every value appears before any repeats. */
function covering(rng: Rng, all: readonly string[], n: number): string[] {
  const out: string[] = [];
  while (out.length < n) out.push(...rng.shuffle(all));
  return out.slice(0, n);
}

const key = (l: ImageLabel): string => `${l.expression}|${l.scene}|${l.prop}`;

function fresh(rng: Rng, n: number, used: Set<string>): ImageLabel[] {
  const out: ImageLabel[] = [];
  const ex = covering(rng, EXPRESSION_NAMES, n);
  const sc = covering(rng, SCENE_NAMES, n);
  const pr = covering(rng, PROP_NAMES, n);
  for (let i = 0; i < n; i++) {
    let l: ImageLabel = { expression: ex[i], scene: sc[i], prop: pr[i] };
    while (used.has(key(l))) l = { expression: rng.pick(EXPRESSION_NAMES), scene: rng.pick(SCENE_NAMES), prop: rng.pick(PROP_NAMES) };
    used.add(key(l));
    out.push(l);
  }
  return out;
}

export function planImages(rng: Rng, sizes: PlanSizes): ImagePlan {
  const used = new Set<string>();
  const train = fresh(rng, sizes.train, used);
  const test = fresh(rng, sizes.test, used);
  const grpo = fresh(rng, sizes.grpo, used);
  return { train, test, grpo };
}
