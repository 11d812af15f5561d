/**
 * Finite or nothing, at the schema: every number a user config can hold (SFT, pretraining with its
 * model, GRPO with its rewards and LoRA, the evaluation suite, experiment grids through them) is
 * finite and bounded on both sides, so `{"train":{"learning_rate":1e999}}` or `{"world_characters":1e9}` is
 * refused in one line naming the field even where a config is parsed without `parseConfig`. Every
 * preset and every committed checkpoint config still parses.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { SftSchema, SFT_PRESETS } from '../src/train/sft';
import { PretrainSchema, PRETRAIN_PRESETS } from '../src/train/pretrain';
import { GrpoSchema, GRPO_PRESETS } from '../src/train/grpo-config';
import { EvalConfigSchema, EVAL_PRESETS } from '../src/eval/suite/config';
import { ModelConfigSchema } from '../src/model/config';
import { GRIDS, resolveGrid } from '../src/eval/experiments/grid';
import { projectRoot } from '../src/util/paths';

const SCHEMAS: Record<string, z.ZodTypeAny> = { sft: SftSchema, pretrain: PretrainSchema, grpo: GrpoSchema, eval: EvalConfigSchema };

/** Every z.number() inside `s`, with its path. */
function numbers(s: z.ZodTypeAny, at: string): [string, z.ZodNumber][] {
  const d = s._def as { typeName: string; innerType?: z.ZodTypeAny; schema?: z.ZodTypeAny; type?: z.ZodTypeAny; valueType?: z.ZodTypeAny; options?: z.ZodTypeAny[] };
  switch (d.typeName) {
    case 'ZodNumber': return [[at, s as z.ZodNumber]];
    case 'ZodObject': return Object.entries((s as z.AnyZodObject).shape).flatMap(([k, v]) => numbers(v as z.ZodTypeAny, at ? `${at}.${k}` : k));
    case 'ZodDefault': case 'ZodOptional': case 'ZodNullable': return numbers(d.innerType!, at);
    case 'ZodEffects': return numbers(d.schema!, at);
    case 'ZodArray': return numbers(d.type!, `${at}[]`);
    case 'ZodRecord': return numbers(d.valueType!, `${at}.*`);
    case 'ZodUnion': return d.options!.flatMap((o) => numbers(o, at));
    default: return [];
  }
}

test('every numeric field of a user config is finite with a lower and an upper bound', () => {
  const loose: string[] = [];
  let n = 0;
  for (const [name, schema] of Object.entries(SCHEMAS)) {
    for (const [at, num] of numbers(schema, '')) {
      n++;
      if (!num.isFinite || num.minValue === null || num.maxValue === null || !Number.isFinite(num.maxValue)) loose.push(`${name}: ${at}`);
    }
  }
  assert.ok(n > 80, `only ${n} numeric fields found: the walker missed some`);
  assert.deepEqual(loose, [], `unbounded or non-finite numeric fields:\n${loose.join('\n')}`);
});

test('out-of-range values are refused by the schema itself, naming the field', () => {
  const refused: [z.ZodTypeAny, unknown, RegExp][] = [
    [SftSchema, { train: { learning_rate: Infinity } }, /train\.learning_rate/],
    [SftSchema, { train: { learning_rate: 50 } }, /train\.learning_rate/],
    [SftSchema, { train: { lr: 50 } }, /train\.learning_rate/], // the old name (issue 15): renamed, then bounded
    [SftSchema, { train: { steps: 1e12 } }, /train\.steps/],
    [SftSchema, { train: { seed: 1e20 } }, /train\.seed/],
    [SftSchema, { shots: 5000 }, /shots/],
    [PretrainSchema, { world_characters: 1e9 }, /world_characters/],
    [PretrainSchema, { model: { n_embd: 1 << 20 } }, /model\.n_embd/],
    [PretrainSchema, { model: { init_std: Infinity } }, /model\.init_std/],
    [GrpoSchema, { top_k: 1e9 }, /top_k/],
    [GrpoSchema, { lora: { alpha: Infinity } }, /lora\.alpha/],
    [GrpoSchema, { rewards: { weights: { vqa: 1e9 } } }, /rewards\.weights\.vqa/],
    [EvalConfigSchema, { max_vqa: 1e12 }, /max_vqa/],
  ];
  for (const [schema, raw, re] of refused) {
    const r = schema.safeParse(raw);
    assert.ok(!r.success, `accepted ${JSON.stringify(raw)}`);
    assert.match(r.error.issues[0].path.join('.'), re);
  }
});

test('every preset, built-in grid and committed checkpoint config is within the bounds', () => {
  const presets: [string, z.ZodTypeAny, Record<string, unknown>][] = [['sft', SftSchema, SFT_PRESETS], ['pretrain', PretrainSchema, PRETRAIN_PRESETS], ['grpo', GrpoSchema, GRPO_PRESETS], ['eval', EvalConfigSchema, EVAL_PRESETS]];
  for (const [name, schema, all] of presets) for (const [k, v] of Object.entries(all)) assert.ok(schema.safeParse(v).success, `${name} preset ${k}`);
  for (const g of Object.keys(GRIDS)) resolveGrid(g); // each row's SFT, GRPO and eval configs
  const ckpts = path.join(projectRoot(), 'checkpoints');
  for (const d of fs.readdirSync(ckpts)) {
    const f = path.join(ckpts, d, 'config.json');
    if (!fs.existsSync(f)) continue;
    const raw = JSON.parse(fs.readFileSync(f, 'utf8')) as { model?: unknown };
    const r = ModelConfigSchema.safeParse(raw.model ?? raw);
    assert.ok(r.success, `${f}: ${r.success ? '' : JSON.stringify(r.error.issues[0])}`);
  }
});

test('smoke configs checkpoint every few steps, not only at the end (a kill loses little)', () => {
  const every: [string, number, number][] = [
    ['sft', SftSchema.parse(SFT_PRESETS.smoke).train.ckpt_interval, SftSchema.parse(SFT_PRESETS.smoke).train.steps],
    ['pretrain', PretrainSchema.parse(PRETRAIN_PRESETS.smoke).train.ckpt_interval, PretrainSchema.parse(PRETRAIN_PRESETS.smoke).train.steps],
    ['grpo', GrpoSchema.parse(GRPO_PRESETS.smoke).ckpt_interval, GrpoSchema.parse(GRPO_PRESETS.smoke).steps],
  ];
  for (const [name, interval, steps] of every) assert.ok(interval > 0 && interval < steps, `${name} smoke: ckpt_interval ${interval} of ${steps} steps`);
});
