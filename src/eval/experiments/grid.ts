/**
 * Experiment grids are data: a zod-validated list of methods (rows) run on characters x seeds.
 * Built-in grids: `main` (the paper's comparison), `ablations`, `demo` (`make demo`'s main job),
 * `real` (for real RoleScape-20 characters) and their `-smoke` twins (smoke configs, for the tests); `--grid FILE` reads a JSON file of the same
 * shape, so a row is added without code.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readPresetOrFile, parseConfig } from '../../util/config-file';
import { projectRoot } from '../../util/paths';
import { z } from 'zod';
import { UserError } from '../../util/errors';
import { resolveSftConfig } from '../../train/sft';
import { LM_CONFIG_KEY_RENAMES } from '../../train/lm-trainer';
import { withDeprecatedKeys } from '../../util/deprecated-keys';
import { GRPO_KEY_RENAMES, resolveGrpoConfig } from '../../train/grpo-config';
import { parseEvalConfig, resolveEvalConfig } from '../suite/config';

export const METHOD_KINDS = ['prompt-only', 'image-only', 'text-only', 'separate', 'unified-sft', 'grpo'] as const;
export type MethodKind = (typeof METHOD_KINDS)[number];

export const MethodSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, . _ - only (it names folders)'), // row label and folder name
    kind: z.enum(METHOD_KINDS), // how the policy is made
    sft: withDeprecatedKeys(z.record(z.string(), z.unknown()), LM_CONFIG_KEY_RENAMES).optional(), // overrides of the grid's SFT config for this row (shots, mode, train.steps, ...), checked against SftSchema; old train key names (lr, clip_norm) are renamed with a notice
    text_from: z.string().optional(), // separate: the row whose text-only model to reuse (default: the grid's text-only row)
    image_from: z.string().optional(), // separate: the row whose image-only model to reuse (default: the grid's image-only row)
    sft_from: z.string().optional(), // grpo: the row whose Unified-SFT model GRPO starts from (default: the grid's unified-sft row)
    grpo: withDeprecatedKeys(z.record(z.string(), z.unknown()), GRPO_KEY_RENAMES).optional(), // grpo: overrides of the grid's GRPO config (steps, num_generations, rewards.weights, ...), checked against GrpoSchema; old key names (group_size, ...) are renamed with a notice
    base: z.string().optional(), // a base checkpoint for this row instead of the grid's (a path; relative ones from the project root), e.g. the dense base
    model_from: z.string().optional(), // evaluate an earlier row's model instead of training one (e.g. the same model under another eval setting)
    eval: z.record(z.string(), z.unknown()).optional(), // overrides of the grid's eval config for this row (e.g. picture_after_reply), checked against EvalConfigSchema
  })
  .strict();
export type Method = z.infer<typeof MethodSchema>;

export const GridSchema = z
  .object({
    name: z.string().default('custom'),
    methods: z.array(MethodSchema).nonempty(), // rows, run in this order (a separate row after the rows it reuses)
    sft_config: z.string().default('default'), // SFT preset or JSON file every finetuned row starts from
    eval_config: z.string().default('default'), // evaluation preset or JSON file
    grpo_config: z.string().default('default'), // GRPO preset or JSON file the grpo rows start from
  })
  .strict()
  .superRefine((g, ctx) => {
    const names = g.methods.map((m) => m.name);
    names.forEach((n, i) => names.indexOf(n) !== i && ctx.addIssue({ code: 'custom', path: ['methods', i, 'name'], message: `duplicate method name "${n}"` }));
    g.methods.forEach((m, i) => {
      if (m.model_from !== undefined) {
        const src = g.methods.find((x) => x.name === m.model_from);
        if (!src || g.methods.indexOf(src) >= i || src.kind !== m.kind || src.model_from !== undefined)
          ctx.addIssue({ code: 'custom', path: ['methods', i, 'model_from'], message: `model_from needs an earlier row of the same kind ("${m.kind}") that trains its own model, named "${m.model_from}"` });
        for (const key of ['sft', 'grpo', 'base', 'sft_from', 'text_from', 'image_from'] as const)
          if (m[key] !== undefined) ctx.addIssue({ code: 'custom', path: ['methods', i, key], message: `a model_from row trains nothing: ${key} would have no effect (only eval applies)` });
        return;
      }
      if (m.base !== undefined && (m.kind === 'grpo' || m.kind === 'separate'))
        ctx.addIssue({ code: 'custom', path: ['methods', i, 'base'], message: `a ${m.kind} row builds on other rows' models: set base on those rows` });
      if (m.kind === 'grpo') {
        const src = m.sft_from ? g.methods.find((x) => x.name === m.sft_from) : g.methods.find((x) => x.kind === 'unified-sft');
        if (!src || src.kind !== 'unified-sft' || src.model_from !== undefined || g.methods.indexOf(src) > i) ctx.addIssue({ code: 'custom', path: ['methods', i, 'sft_from'], message: `a grpo row needs an earlier unified-sft row${m.sft_from ? ` named "${m.sft_from}"` : ''}` });
      }
      if (m.kind !== 'separate') return;
      for (const [key, kind] of [['text_from', 'text-only'], ['image_from', 'image-only']] as const) {
        const src = m[key] ? g.methods.find((x) => x.name === m[key]) : g.methods.find((x) => x.kind === kind);
        const at = src ? g.methods.indexOf(src) : -1;
        if (!src || src.kind !== kind || src.model_from !== undefined || at > i) ctx.addIssue({ code: 'custom', path: ['methods', i, key], message: `a separate row needs an earlier ${kind} row${m[key] ? ` named "${m[key]}"` : ''}` });
      }
    });
  });
export type Grid = z.infer<typeof GridSchema>;

const MAIN_METHODS: [z.input<typeof MethodSchema>, ...z.input<typeof MethodSchema>[]] = [
  { name: 'prompt-only', kind: 'prompt-only' },
  { name: 'image-only', kind: 'image-only' },
  { name: 'text-only', kind: 'text-only' },
  { name: 'separate', kind: 'separate' },
  { name: 'unified-sft', kind: 'unified-sft' },
  { name: 'unified-sft-grpo', kind: 'grpo' },
];

const grpoRow = (name: string, grpo: Record<string, unknown>): z.input<typeof MethodSchema> => ({ name, kind: 'grpo', sft_from: 'sft-k10', grpo });
const weights = (w: Record<string, number>) => ({ rewards: { weights: w } });

/**
 * The ablations: each reward term removed; the official group-mean diversity vs the per-sample
 * variant; the official identity thresholds (real DINOv2's 0.5 / 0.9) vs ours; group size; the KL
 * coefficient; shots K; the text-then-image chain vs the role-play picture drawn without the reply
 * (same SFT model, evaluated both ways); experts (MoT) vs dense: SFT from a dense base pretrained
 * like the MoT one (checkpoints/base-dense).
 */
const ABLATION_METHODS: [z.input<typeof MethodSchema>, ...z.input<typeof MethodSchema>[]] = [
  { name: 'sft-k10', kind: 'unified-sft' },
  { name: 'sft-k10-dense', kind: 'unified-sft', base: 'checkpoints/base-dense' },
  { name: 'sft-k10-picture-without-reply', kind: 'unified-sft', model_from: 'sft-k10', eval: { picture_after_reply: false } },
  grpoRow('grpo-official', {}),
  grpoRow('grpo-no-vqa', weights({ vqa: 0 })),
  grpoRow('grpo-no-clip-t', weights({ clip_t: 0 })),
  grpoRow('grpo-no-diversity', weights({ diversity_lpips: 0 })),
  grpoRow('grpo-no-identity-band', weights({ dino_penalty: 0 })),
  grpoRow('grpo-per-sample-diversity', weights({ diversity_lpips: 0, diversity_lpips_per_sample: 0.1 })),
  grpoRow('grpo-official-thresholds', { rewards: { dino_threshold_low: 0.5, dino_threshold_high: 0.9 } }),
  grpoRow('grpo-g4', { num_generations: 4 }),
  grpoRow('grpo-beta-0.04', { beta: 0.04 }),
  { name: 'sft-k1', kind: 'unified-sft', sft: { shots: 1 } },
  { name: 'sft-k3', kind: 'unified-sft', sft: { shots: 3 } },
  { name: 'sft-k5', kind: 'unified-sft', sft: { shots: 5 } },
];

/** `make demo`'s main job: one character customized (SFT, then GRPO) and scored against prompt-only. */
const DEMO_METHODS: [z.input<typeof MethodSchema>, ...z.input<typeof MethodSchema>[]] = [
  { name: 'prompt-only', kind: 'prompt-only' },
  { name: 'unified-sft', kind: 'unified-sft' },
  { name: 'unified-sft-grpo', kind: 'grpo' },
];

/**
 * Real RoleScape-20 characters (`--data`): Unified-SFT then GRPO. No prompt-only row: a real
 * character card (230 tokens for Bo) leaves no room in the 256-token window for a question and
 * its answer.
 */
const REAL_METHODS: [z.input<typeof MethodSchema>, ...z.input<typeof MethodSchema>[]] = [
  { name: 'unified-sft', kind: 'unified-sft' },
  { name: 'unified-sft-grpo', kind: 'grpo' },
];

const SMOKE = { sft_config: 'smoke', eval_config: 'smoke', grpo_config: 'smoke' } as const;

export const GRIDS: Record<string, z.input<typeof GridSchema>> = {
  main: { name: 'main', methods: MAIN_METHODS },
  smoke: { name: 'smoke', methods: MAIN_METHODS, ...SMOKE },
  ablations: { name: 'ablations', methods: ABLATION_METHODS },
  'ablations-smoke': { name: 'ablations-smoke', methods: ABLATION_METHODS, ...SMOKE },
  demo: { name: 'demo', methods: DEMO_METHODS },
  'demo-smoke': { name: 'demo-smoke', methods: DEMO_METHODS, ...SMOKE },
  real: { name: 'real', methods: REAL_METHODS },
  'real-smoke': { name: 'real-smoke', methods: REAL_METHODS, ...SMOKE },
};

/** A row's own base checkpoint folder: relative paths are from the project root. */
export function rowBaseDir(base: string): string {
  return path.resolve(projectRoot(), base);
}

export function resolveGrid(nameOrFile: string): Grid {
  const grid = parseConfig(GridSchema, readPresetOrFile(nameOrFile, GRIDS, { flag: '--grid', kind: 'a built-in grid' }), nameOrFile);
  for (const [i, m] of grid.methods.entries()) {
    if (m.base !== undefined) {
      const dir = rowBaseDir(m.base);
      for (const f of ['config.json', 'weights.bin'])
        if (!fs.existsSync(path.join(dir, f))) throw new UserError(`${nameOrFile}: methods.${i}.base: ${dir}: no base checkpoint there (${f} missing); the dense one is built by \`npx cmrp pretrain --config dense --out checkpoints/base-dense\``);
    }
    try {
      resolveSftConfig(grid.sft_config, m.sft ?? {});
    } catch (err) {
      throw new UserError(`${nameOrFile}: methods.${i}.sft: ${(err as Error).message}`);
    }
    if (m.eval) {
      try {
        parseEvalConfig({ ...resolveEvalConfig(grid.eval_config), ...m.eval }, 'eval config');
      } catch (err) {
        throw new UserError(`${nameOrFile}: methods.${i}.eval: ${(err as Error).message}`);
      }
    }
    if (m.kind === 'grpo') {
      try {
        resolveGrpoConfig(grid.grpo_config, m.grpo ?? {});
      } catch (err) {
        throw new UserError(`${nameOrFile}: methods.${i}.grpo: ${(err as Error).message}`);
      }
    }
  }
  return grid;
}

/**
 * The grid cut to the named rows and the rows they build on (a grpo row's SFT row, a model_from
 * row's source, a separate row's text-only and image-only rows), in the grid's order, each row
 * unchanged so its cells keep their keys. For lanes that split a long grid by rows, or a row whose
 * input is not ready (e.g. the dense base).
 */
export function selectMethods(grid: Grid, names: readonly string[], source = '--methods'): Grid {
  const byName = new Map(grid.methods.map((m) => [m.name, m]));
  const firstOf = (kind: MethodKind) => grid.methods.find((m) => m.kind === kind)?.name;
  const keep = new Set<string>();
  const add = (name: string | undefined) => {
    if (name === undefined || keep.has(name)) return;
    const m = byName.get(name);
    if (!m) throw new UserError(`${source}: grid "${grid.name}" has no row "${name}"; its rows: ${grid.methods.map((x) => x.name).join(', ')}`);
    keep.add(name);
    if (m.model_from !== undefined) add(m.model_from);
    else if (m.kind === 'grpo') add(m.sft_from ?? firstOf('unified-sft'));
    else if (m.kind === 'separate') { add(m.text_from ?? firstOf('text-only')); add(m.image_from ?? firstOf('image-only')); }
  };
  if (!names.length) throw new UserError(`${source}: expected one or more row names of grid "${grid.name}"`);
  names.forEach(add);
  const methods = grid.methods.filter((m) => keep.has(m.name));
  return { ...grid, methods: methods as Grid['methods'] };
}
