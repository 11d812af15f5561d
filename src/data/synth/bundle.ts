/**
 * Everything one character contributes to a dataset, built in memory from its spec and
 * named random streams (so the same seed gives the same bundle whatever else is built).
 */
import type { CharacterSpec } from './character';
import { ImageLabel, planImages } from './plan';
import { Exchange, imageExchange, opening, textExchanges } from './dialogue';
import { description } from './profile';
import { knowledgeMcq, knowledgeQa, memorizationQuestions, personalityQuestions, McqItem, QaItem } from './knowledge';
import { GrpoPrompt, grpoQuestions, grpoText } from './grpo';
import { rngFor } from './seed';

export type Split = 'eval' | 'world';

/** How much of everything one character gets; `[lo, hi]` ranges are drawn per character. */
export interface BundleSizes {
  readonly trainImages: readonly [number, number];
  readonly testImages: number;
  readonly extensionTrain: readonly [number, number];
  readonly extensionTest: number;
  readonly knowledgeQa: number;
  readonly knowledgeMcq: number;
  readonly memorization: number;
  readonly personality: number;
  readonly grpoPrompts: readonly [number, number];
  readonly grpoQuestions: readonly [number, number];
  readonly qaObjective: number;
  readonly qaSubjective: number;
  readonly imageMcq: number;
}

export const SIZES: Record<Split, BundleSizes> = {
  eval: {
    trainImages: [10, 12], testImages: 3, extensionTrain: [140, 200], extensionTest: 20, knowledgeQa: 100, knowledgeMcq: 10, memorization: 20, personality: 20,
    grpoPrompts: [30, 40], grpoQuestions: [5, 15], qaObjective: 13, qaSubjective: 4, imageMcq: 5,
  },
  world: {
    trainImages: [6, 6], testImages: 1, extensionTrain: [24, 24], extensionTest: 4, knowledgeQa: 20, knowledgeMcq: 4, memorization: 5, personality: 5,
    grpoPrompts: [6, 6], grpoQuestions: [5, 8], qaObjective: 6, qaSubjective: 2, imageMcq: 2,
  },
};

export interface ImageScene {
  /** "0", "1", ...: the PNG basename in its split folder. */
  readonly imageId: string;
  readonly label: ImageLabel;
  readonly exchange: Exchange;
}

export interface Bundle {
  readonly spec: CharacterSpec;
  readonly split: Split;
  readonly seed: number;
  readonly description: string;
  readonly opening: string;
  readonly train: ImageScene[];
  readonly test: ImageScene[];
  readonly extensionTrain: Exchange[];
  readonly extensionTest: Exchange[];
  readonly qa: QaItem[];
  readonly mcq: McqItem[];
  readonly memorization: string[];
  readonly personality: string[];
  readonly grpo: Array<GrpoPrompt & { label: ImageLabel }>;
}

export function buildBundle(spec: CharacterSpec, split: Split, seed: number): Bundle {
  const z = SIZES[split];
  const r = (stream: string) => rngFor(seed, split, spec.id, stream);
  const planRng = r('plan');
  const plan = planImages(planRng, {
    train: planRng.int(z.trainImages[0], z.trainImages[1]),
    test: z.testImages,
    grpo: planRng.int(z.grpoPrompts[0], z.grpoPrompts[1]),
  });
  const dRng = r('dialogue');
  const used = new Set<string>();
  const scenes = (labels: ImageLabel[]): ImageScene[] =>
    labels.map((label, i) => {
      let exchange = imageExchange(spec, label, dRng);
      while (used.has(exchange.machine)) exchange = imageExchange(spec, label, dRng);
      used.add(exchange.machine);
      return { imageId: String(i), label, exchange };
    });
  const train = scenes(plan.train);
  const test = scenes(plan.test);
  const extensionTrain = textExchanges(spec, dRng.int(z.extensionTrain[0], z.extensionTrain[1]), dRng, used);
  const extensionTest = textExchanges(spec, z.extensionTest, dRng, used);
  const kRng = r('knowledge');
  const gRng = r('grpo');
  return {
    spec,
    split,
    seed,
    description: description(spec),
    opening: opening(spec, r('opening')),
    train,
    test,
    extensionTrain,
    extensionTest,
    qa: knowledgeQa(spec, z.knowledgeQa),
    mcq: knowledgeMcq(spec, kRng, z.knowledgeMcq),
    memorization: memorizationQuestions(spec, train.map((s) => s.exchange), kRng, z.memorization),
    personality: personalityQuestions(spec, kRng, z.personality),
    grpo: plan.grpo.map((label) => ({ label, text: grpoText(spec, label, gRng), vqa: grpoQuestions(spec, label, gRng, gRng.int(z.grpoQuestions[0], z.grpoQuestions[1])) })),
  };
}
