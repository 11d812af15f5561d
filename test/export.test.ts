/**
 * `cmrp export official`: (a) every written file validates against the export's schemas (and, where
 * Python with PyYAML is installed, reads the same under PyYAML as under the yaml package); (b) a
 * synthetic character's export reads back through the RoleScape loader with nothing lost; (c) the
 * processed/ and grpo files have the release's field names, types and layout (skipped without
 * ../shared/rolescape20); (d) the dataset and GRPO yamls have the official configs' keys; (e) the
 * GRPO yaml's reward_weights read back by fromOfficialYaml give the workbench's weights; (f) bad
 * arguments are one-line UserErrors that write nothing.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command, CommanderError } from 'commander';
import { parse as parseYaml } from 'yaml';
import { register } from '../src/cli/commands/export';
import { loadCharacter, type Character } from '../src/data/rolescape';
import { IssueCollector } from '../src/data/rolescape/issues';
import { loadGrpo } from '../src/data/rolescape/load-grpo';
import { loadProcessed } from '../src/data/rolescape/load-processed';
import { GrpoVqaRecordSchema, T2iRecordSchema, VlmRecordSchema } from '../src/data/rolescape/schemas';
import { splitGrpoPrompts } from '../src/data/grpo-split';
import { ensureSynthDataset } from '../src/data/synth';
import {
  DatasetConfigSchema, GrpoPureOutSchema, GrpoVqaOutSchema, GrpoYamlSchema, PureT2iOutSchema, T2iOutSchema, VlmOutSchema, VqaOutSchema,
  exportOfficial, parseJsonl, pyYamlFloat, readParquet, toYaml, type ExportResult,
} from '../src/export';
import { fromOfficialYaml } from '../src/rewards/config';
import { resolveSftConfig, sftExamples } from '../src/train/sft';
import { referenceIds } from '../src/data/shots';
import { UserError } from '../src/util/errors';
import { defaultSynthDir, projectRoot } from '../src/util/paths';

const REAL = path.resolve(projectRoot(), '..', 'shared', 'rolescape20');
const SKIP_REAL = fs.existsSync(path.join(REAL, 'train')) ? false : 'shared RoleScape-20 data not present';
const tmp = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `cmrp-export-${name}-`));
const read = (dir: string, rel: string) => fs.readFileSync(path.join(dir, rel), 'utf8');
const jsonl = (dir: string, rel: string) => parseJsonl(read(dir, rel)) as Record<string, unknown>[];

let synth = '';
let calmaric: Character;
let res: ExportResult;
let out = '';
const warned: string[] = [];

before(async () => {
  synth = defaultSynthDir();
  await ensureSynthDataset({ dir: synth });
  calmaric = (await loadCharacter(synth, 'Calmaric')).character;
  out = path.join(tmp('calmaric'), 'export');
  res = await exportOfficial({ character: calmaric, dataDir: synth, outDir: out, warn: (m) => warned.push(m) });
});

// ------------------------------------------------------------------ (a) schemas

test('(a) every written record, yaml and parquet validates against the export schemas', () => {
  const L = res.layout;
  for (const f of res.files) assert.ok(fs.existsSync(path.join(out, f)), `${f} listed and written`);
  const schemaOf = (f: string) =>
    f.endsWith('_pure_t2i_with_vqa.jsonl') ? GrpoVqaOutSchema
      : f.startsWith('flow_grpo/') && f.endsWith('_pure_t2i.jsonl') ? GrpoPureOutSchema
      : f.endsWith('_pure_t2i.jsonl') ? PureT2iOutSchema
      : f.includes('/processed/t2i/') ? T2iOutSchema
      : f.endsWith('_vqa.jsonl') ? VqaOutSchema
      : VlmOutSchema;
  const jsonls = res.files.filter((f) => f.endsWith('.jsonl'));
  assert.equal(jsonls.length, 9, 'seven processed files and two GRPO prompt files');
  for (const f of jsonls) {
    const rows = jsonl(out, f);
    assert.ok(rows.length > 0, f);
    rows.forEach((r, i) => {
      const p = schemaOf(f).safeParse(r);
      assert.ok(p.success, `${f} line ${i + 1}: ${p.success ? '' : JSON.stringify(p.error.issues[0])}`);
    });
  }
  assert.ok(DatasetConfigSchema.safeParse(parseYaml(read(out, L.datasetConfig))).success);
  assert.ok(GrpoYamlSchema.safeParse(parseYaml(read(out, L.grpoYaml))).success);
  // every image a record names is exported, and the parquet holds the jsonl's rows with those PNGs
  for (const f of jsonls.filter((x) => x.includes('/processed/'))) {
    for (const r of jsonl(out, f)) if (typeof r.image === 'string') assert.ok(fs.existsSync(path.join(out, 'data', r.image)), `${f}: ${r.image}`);
  }
  for (const d of ['t2i', 'pure_t2i', 't2i_generation_instruction_only'] as const) {
    const rows = jsonl(out, L.t2iJsonl(d));
    const pq = readParquet(fs.readFileSync(path.join(out, L.t2iParquetDir(d), 'chunk_000.parquet')));
    assert.deepEqual([...pq.keys()], ['image', 'captions']);
    assert.deepEqual(pq.get('captions')!.map((c) => Object.values(JSON.parse(c as string))), rows.map((r) => [r.text]));
    pq.get('image')!.forEach((img, i) => assert.ok(Buffer.from(img as Uint8Array).equals(fs.readFileSync(path.join(out, 'data', rows[i].image as string))), `${d} row ${i} image`));
  }
});

test('(a) the yamls read the same under PyYAML (YAML 1.1: 1e-7 is a string there), and dataset_info_append.py runs', (t) => {
  assert.equal(pyYamlFloat(1e-7), '1.0e-07');
  assert.equal(pyYamlFloat(-2.5e21), '-2.5e+21');
  assert.deepEqual(parseYaml(toYaml({ a: 1e-7, b: 0.00001, c: [0, null] })), { a: 1e-7, b: 0.00001, c: [0, null] });
  const probe = spawnSync('python3', ['-c', 'import yaml'], { encoding: 'utf8' });
  if (probe.status !== 0) return t.skip('python3 with PyYAML not installed');
  const L = res.layout;
  const script = [
    'import json, sys, yaml',
    'out = sys.argv[1]',
    "DATASET_INFO = {'t2i_pretrain': {}, 'vlm_sft': {}}",
    'exec(open(out + "/" + sys.argv[4]).read())',
    'print(json.dumps({"sft": yaml.safe_load(open(out + "/" + sys.argv[2])), "grpo": yaml.safe_load(open(out + "/" + sys.argv[3])), "info": DATASET_INFO}))',
  ].join('\n');
  const r = spawnSync('python3', ['-c', script, out, L.datasetConfig, L.grpoYaml, L.datasetInfo], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const py = JSON.parse(r.stdout) as { sft: unknown; grpo: unknown; info: Record<string, Record<string, { data_dir: string; jsonl_path?: string }>> };
  assert.deepEqual(py.sft, parseYaml(read(out, L.datasetConfig)));
  assert.deepEqual(py.grpo, parseYaml(read(out, L.grpoYaml)));
  // every dataset the SFT config names is registered, at a path the export holds
  const cfg = py.sft as Record<string, { dataset_names: string[] }>;
  for (const [group, g] of Object.entries(cfg)) {
    for (const name of g.dataset_names) {
      const e = py.info[group][name];
      assert.ok(e, `${group}/${name} registered`);
      assert.ok(fs.existsSync(path.join(out, e.jsonl_path ?? e.data_dir)), `${name}: ${e.jsonl_path ?? e.data_dir}`);
    }
  }
});

// ------------------------------------------------------------------ (b) round trip

test('(b) round trip: the export of a synthetic character reads back through the loader with nothing lost', () => {
  const L = res.layout;
  const config = resolveSftConfig('default');
  const K = referenceIds(calmaric, config.shots);
  assert.deepEqual(new Set(res.references), K);
  const root = path.join(out, 'data', 'personalized_data');
  const pngs = new Set([...K].map((id) => path.join(root, 'train', L.folder, `${id}.png`)));
  const issues = new IssueCollector(root);
  const processed = loadProcessed(path.join(out, L.trainDir), 'train', L.prefix, root, pngs, issues);
  assert.deepEqual(issues.issues, [], 'the loader reports nothing');
  assert.equal(processed.files.length, 7);
  // VQA: exactly the pairs on the K reference images, with ids, questions, answers, types
  const want = calmaric.vqa.filter((v) => v.split === 'train' && K.has(v.imageId));
  const pick = (v: { id: string; sceneIndex: number; imageId: string; question: string; answer: string; type: string }) => ({ id: v.id, s: v.sceneIndex, img: v.imageId, q: v.question, a: v.answer, t: v.type });
  assert.deepEqual(processed.vqa!.map(pick), want.map(pick));
  // GRPO: the loader reads back exactly the TRAIN side of the split, questions and weights included
  const gIssues = new IssueCollector(out);
  const grpo = loadGrpo(path.join(out, L.grpoDir), L.grpoFolder, calmaric.id, gIssues);
  assert.deepEqual(gIssues.issues.filter((i) => i.severity === 'error'), []);
  const split = splitGrpoPrompts(calmaric.grpo);
  assert.deepEqual(grpo, split.train);
  assert.equal(res.trainPrompts + res.evalPrompts, calmaric.grpo.length);
  const evalTexts = new Set(split.eval.map((p) => p.text));
  assert.ok(grpo.every((p) => !evalTexts.has(p.text)), 'no held-out prompt in the official training file');
  assert.deepEqual(fs.readdirSync(path.join(out, L.grpoDir)).filter((f) => f.endsWith('.png')).sort(), [...K].map((id) => `${id}.png`).sort(), 'the band folder holds the K references only');

  // SFT: the same examples cmrp sft trains on, by task and content, less the name-only t2i prompts
  // (derived from the synthetic index's labels; the export does not write them yet)
  const ex = sftExamples(calmaric, { ...config, name_only_t2i: false }).train;
  const recs = (d: string, kind: 't2i' | 'vlm') => jsonl(out, kind === 't2i' ? L.t2iJsonl(d as never) : L.vlmJsonl(d as never));
  for (const r of recs('vlm', 'vlm')) VlmRecordSchema.parse(r);
  const reply = (r: Record<string, unknown>) => (r.conversations as { value: string }[])[1].value;
  const userOf = (r: Record<string, unknown>) => /User Input: ([\s\S]*)\n\nBased on/.exec((r.conversations as { value: string }[])[0].value)![1];
  const roleplay = [...recs('vlm', 'vlm'), ...recs('vlm_extension', 'vlm')];
  assert.equal(roleplay.length, ex.roleplay.length);
  const textOf = (e: (typeof ex.roleplay)[number], role: string) => e.segments.filter((s) => s.role === role && s.kind === 'text').map((s) => (s as { text: string }).text);
  assert.deepEqual(roleplay.map((r) => [userOf(r), reply(r)]), ex.roleplay.map((e) => [textOf(e, 'user')[0], textOf(e, 'char')[0]]));
  assert.deepEqual(recs('knowledge_qa', 'vlm').map((r) => [(r.conversations as { value: string }[])[0].value, reply(r)]), ex.knowledge.map((e) => [textOf(e, 'user')[0], textOf(e, 'char')[0]]));
  assert.equal(recs('vqa', 'vlm').length, ex.vqa.length);
  const t2iTask = [...recs('pure_t2i', 't2i'), ...recs('t2i_generation_instruction_only', 't2i')];
  const imgOf = (e: (typeof ex.t2i)[number]) => path.basename((e.segments.find((s) => s.kind === 'image') as { image: string }).image);
  assert.deepEqual(t2iTask.map((r) => [r.text, path.basename(r.image as string)]).sort(), ex.t2i.map((e) => [textOf(e, 'user')[0], imgOf(e)]).sort());
  const withImage = ex.roleplay.filter((e) => e.segments.some((s) => s.kind === 'image'));
  assert.deepEqual(recs('t2i', 't2i').map((r) => path.basename(r.image as string)), withImage.map(imgOf), 'one dialogue -> image record per image-bearing role-play example');
  for (const r of recs('t2i', 't2i')) T2iRecordSchema.parse(r);
});

test('(b) the dataset config keeps the workbench\'s per-record rates', () => {
  const cfg = parseYaml(read(out, res.layout.datasetConfig)) as Record<string, { dataset_names: string[]; num_used_data: number[]; weight: number; is_mandatory: boolean }>;
  const rate = new Map(res.mixture.uses.map((u) => [u.name, u]));
  const sum = (g: string, name: string) => cfg[g].dataset_names.reduce((a, n, i) => a + (n === name ? cfg[g].num_used_data[i] : 0), 0);
  // vlm: lines per record ~ rate; t2i: parquet listings ~ rate
  for (const g of ['vlm_sft', 't2i_pretrain']) {
    const names = [...new Set(cfg[g].dataset_names)];
    const per = names.map((n) => (g === 'vlm_sft' ? sum(g, n) / rate.get(n)!.records : sum(g, n)) / rate.get(n)!.rate);
    for (const p of per) assert.ok(Math.abs(p / per[0] - 1) < 0.07, `${g}: ${names.join(', ')} -> ${per.map((x) => x.toFixed(2)).join(', ')}`);
  }
  assert.equal(cfg.t2i_pretrain.is_mandatory, true, 'mandatory_t2i 4 > 0');
  assert.equal(cfg.vlm_sft.is_mandatory, false);
  assert.ok(Math.abs(cfg.t2i_pretrain.weight + cfg.vlm_sft.weight - 1) < 1e-3);
  assert.ok(cfg.t2i_pretrain.num_used_data.reduce((a, b) => a + b, 0) >= 64, 'enough parquet listings for every rank');
});

test('(b) image-only and text-only SFT configs export one side; --shots picks K', async () => {
  const dir = tmp('sides');
  const write = (name: string, v: unknown) => (fs.writeFileSync(path.join(dir, name), JSON.stringify(v)), path.join(dir, name));
  const img = await exportOfficial({ character: calmaric, dataDir: synth, outDir: path.join(dir, 'img'), sftConfig: write('img.json', { data: 'image-only' }) });
  assert.deepEqual(Object.keys(img.mixture.config), ['t2i_pretrain']);
  assert.deepEqual(img.mixture.uses.map((u) => u.dataset), ['pure_t2i', 't2i_generation_instruction_only']);
  const txt = await exportOfficial({ character: calmaric, dataDir: synth, outDir: path.join(dir, 'txt'), sftConfig: write('txt.json', { data: 'text-only' }) });
  assert.deepEqual(Object.keys(txt.mixture.config), ['vlm_sft']);
  assert.deepEqual(txt.mixture.uses.map((u) => u.dataset), ['vlm', 'vlm_extension', 'knowledge_qa']);
  assert.ok(!txt.files.some((f) => f.startsWith('data/') && f.endsWith('.png')));
  const k3 = await exportOfficial({ character: calmaric, dataDir: synth, outDir: path.join(dir, 'k3'), shots: 3 });
  assert.deepEqual(k3.references, ['0', '1', '2']);
  assert.equal(k3.counts.pure_t2i, 3);
});

// ------------------------------------------------------------------ (c) the release's shapes

/** Field name -> JSON type, in key order (nested objects and the first element of arrays described too). */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return [v.length ? shape(v[0]) : null];
  if (v !== null && typeof v === 'object') return Object.entries(v).map(([k, x]) => [k, shape(x)]);
  return Number.isInteger(v) ? 'int' : typeof v;
}

test('(c) processed/ and grpo files have the release\'s layout, field names and types (K = all images: the same records)', { skip: SKIP_REAL }, async () => {
  const dir = tmp('real');
  for (const [id, shots] of [['Chandler', 10], ['Chandler', 12], ['Adrien Brody', 10], ['Mahjong Soul-Ichihime', 10]] as const) {
    const r = await exportOfficial({ character: id, dataDir: REAL, outDir: path.join(dir, `${id}-${shots}`), shots });
    const o = r.outDir;
    const allImages = shots >= fs.readdirSync(path.join(REAL, 'train', r.layout.folder)).filter((f) => f.endsWith('.png')).length;
    for (const f of r.files.filter((x) => /\/processed\/(t2i|vlm)\/[^/]+\.jsonl$/.test(x))) {
      const release = path.join(REAL, f.replace(/^data\/personalized_data\//, ''));
      assert.ok(fs.existsSync(release), `${f}: the release has a file of this name at this place`);
      const ours = jsonl(o, f);
      const theirs = parseJsonl(fs.readFileSync(release, 'utf8')) as Record<string, unknown>[];
      assert.deepEqual(ours.map(shape).filter((s, i, a) => a.findIndex((x) => JSON.stringify(x) === JSON.stringify(s)) === i), theirs.map(shape).filter((s, i, a) => a.findIndex((x) => JSON.stringify(x) === JSON.stringify(s)) === i), `${f}: field names, order and types`);
      const schema = f.includes('/t2i/') ? T2iRecordSchema : VlmRecordSchema;
      for (const x of ours) schema.parse(x);
      if (allImages) assert.deepEqual(ours, theirs, `${f}: with every image a reference, the release's records`);
      else assert.ok(ours.every((x) => theirs.some((y) => JSON.stringify(y) === JSON.stringify(x))), `${f}: a subset of the release's records`);
    }
    // GRPO: each exported prompt is the release's record of that scene id, same fields and values
    const theirs = parseJsonl(read(path.join(REAL, 'grpo', r.layout.grpoFolder), `${r.layout.grpoFolder}_pure_t2i_with_vqa.jsonl`)) as Record<string, unknown>[];
    const ours = jsonl(o, r.layout.grpoPrompts);
    for (const x of ours) {
      GrpoVqaRecordSchema.parse(x);
      assert.deepEqual(Object.keys(x), Object.keys(theirs[0]));
      assert.deepEqual(x, theirs.find((y) => y.scene_id === x.scene_id), `scene ${String(x.scene_id)}`);
    }
    assert.equal(ours.length, r.trainPrompts);
    assert.equal(r.trainPrompts + r.evalPrompts, theirs.length);
  }
});

// ------------------------------------------------------------------ (d) the official configs' keys

/** Keys (not content) of UniCharacter data/configs/Friends-Chandler/friends_chandler_full.yaml, in order. */
const FULL_YAML_KEYS: Record<string, string[]> = {
  '': ['t2i_pretrain', 'vlm_sft'],
  t2i_pretrain: ['dataset_names', 'image_transform_args', 'is_mandatory', 'num_used_data', 'weight'],
  't2i_pretrain.image_transform_args': ['image_stride', 'max_image_size', 'min_image_size'],
  vlm_sft: ['dataset_names', 'image_transform_args', 'frame_sampler_args', 'is_mandatory', 'shuffle_lines', 'shuffle_seed', 'num_used_data', 'weight'],
  'vlm_sft.image_transform_args': ['image_stride', 'max_image_size', 'min_image_size', 'max_pixels'],
  'vlm_sft.frame_sampler_args': ['max_num_frames', 'min_num_frames'],
};
/** Keys of UniCharacter flow_grpo/config/personalized_t2i_bagel.yaml, in order. */
const BAGEL_YAML_KEYS: Record<string, string[]> = {
  '': ['gpu_number', 'dataset', 'model', 'sample', 'train', 'resolution', 'mixed_precision', 'use_lora', 'activation_checkpointing', 'fsdp_optimizer_offload', 'save_freq', 'eval_freq', 'num_epochs', 'save_dir', 'run_name', 'reward_fn', 'reward_weights', 'prompt_fn', 'per_prompt_stat_tracking'],
  model: ['local_path', 'remote_oss_path', 'huggingface_id'],
  sample: ['num_steps', 'eval_num_steps', 'guidance_scale', 'eval_guidance_scale', 'train_batch_size', 'num_image_per_prompt', 'test_batch_size', 'same_latent', 'global_std', 'noise_level', 'sde_window_size', 'sde_window_range'],
  train: ['cfg', 'ema', 'batch_size', 'gradient_accumulation_steps', 'num_inner_epochs', 'clip_range_lt', 'clip_range_gt', 'beta', 'learning_rate'],
  save_dir: ['full'],
  run_name: ['full'],
  reward_fn: ['personalized_t2i'],
  reward_weights: ['vqa', 'clip_t', 'diversity_lpips', 'dino_penalty', 'dino_threshold_high', 'dino_threshold_low'],
};

function keysAt(doc: unknown, at: string): string[] {
  const v = at ? at.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], doc) : doc;
  return Object.keys(v as object);
}

test('(d) the dataset yaml and the GRPO yaml have the official configs\' keys, in their order', () => {
  const sft = parseYaml(read(out, res.layout.datasetConfig));
  for (const [at, keys] of Object.entries(FULL_YAML_KEYS)) assert.deepEqual(keysAt(sft, at), keys, `dataset config ${at || '(root)'}`);
  const grpo = parseYaml(read(out, res.layout.grpoYaml));
  for (const [at, keys] of Object.entries(BAGEL_YAML_KEYS)) assert.deepEqual(keysAt(grpo, at), keys, `GRPO yaml ${at || '(root)'}`);
  const g = grpo as { dataset: string; sample: { num_image_per_prompt: number }; train: Record<string, number> };
  assert.equal(g.dataset, `dataset/personalized_t2i/Calmaric/Calmaric_pure_t2i_with_vqa.jsonl`);
  assert.equal(g.sample.num_image_per_prompt, res.grpo.num_generations);
  assert.deepEqual([g.train.clip_range_lt, g.train.clip_range_gt, g.train.beta, g.train.learning_rate, g.train.num_inner_epochs], [res.grpo.epsilon, res.grpo.epsilon, res.grpo.beta, res.grpo.learning_rate, res.grpo.num_iterations]);
});

// ------------------------------------------------------------------ (e) reward weights round trip

test('(e) reward_weights read back by fromOfficialYaml give the workbench\'s weights and thresholds', () => {
  assert.deepEqual(fromOfficialYaml(read(out, res.layout.grpoYaml)), res.grpo.rewards);
  // the calibrated band is exported as used, with a warning at the key and on stderr
  assert.ok(warned.some((w) => /calibrated for the workbench's identity judge.*0\.5.*0\.9/.test(w)), warned.join('\n'));
  assert.match(read(out, res.layout.grpoYaml), /# WARNING: identity band 0\.8 \/ 0\.998[^\n]*\n\s+dino_threshold_low: 0\.8/);
});

test('(e) components the official scorer lacks are left out with a warning; --official-yaml weights round-trip', async () => {
  const dir = tmp('rewards');
  const cfg = path.join(dir, 'grpo.json');
  fs.writeFileSync(cfg, JSON.stringify({ num_generations: 5, loss_type: 'dr_grpo', rewards: { weights: { vqa: 0.5, clip_t: 0.2, diversity_lpips: 0, diversity_lpips_per_sample: 0.1, dino_penalty: 0.3, style: 0.2 } } }));
  const w: string[] = [];
  const r = await exportOfficial({ character: calmaric, dataDir: synth, outDir: path.join(dir, 'a'), grpoConfig: cfg, warn: (m) => w.push(m) });
  const text = read(r.outDir, r.layout.grpoYaml);
  const back = fromOfficialYaml(text);
  assert.deepEqual(back.weights, { ...r.grpo.rewards.weights, diversity_lpips_per_sample: 0, style: 0 });
  assert.deepEqual([back.dino_threshold_low, back.dino_threshold_high], [r.grpo.rewards.dino_threshold_low, r.grpo.rewards.dino_threshold_high]);
  for (const re of [/diversity_lpips_per_sample 0\.1 is not exported/, /style 0\.2 is not exported/, /dr_grpo has no official equivalent/, /divisible by num_image_per_prompt \(5\)/]) {
    assert.ok(w.some((m) => re.test(m)), `stderr: ${re}`);
    assert.ok(new RegExp(`# WARNING: [^\\n]*${re.source}`).test(text), `yaml: ${re}`);
  }
  // an official yaml: its reward_weights become the workbench's, so they round-trip exactly and the band warning goes
  const official = path.join(dir, 'personalized_t2i_bagel.yaml');
  fs.writeFileSync(official, 'gpu_number: 16\nsample:\n  noise_level: 1.1\nreward_weights:\n  vqa: 0.3\n  clip_t: 0.45\n  diversity_lpips: 0.1\n  dino_penalty: 0.15\n  dino_threshold_high: 0.9\n  dino_threshold_low: 0.5\n');
  const w2: string[] = [];
  const r2 = await exportOfficial({ character: calmaric, dataDir: synth, outDir: path.join(dir, 'b'), officialYaml: official, warn: (m) => w2.push(m) });
  const y2 = parseYaml(read(r2.outDir, r2.layout.grpoYaml)) as { gpu_number: number; sample: { noise_level: number }; reward_weights: Record<string, number> };
  assert.deepEqual(y2.reward_weights, parseYaml(fs.readFileSync(official, 'utf8')).reward_weights);
  assert.deepEqual(fromOfficialYaml(read(r2.outDir, r2.layout.grpoYaml)), fromOfficialYaml(fs.readFileSync(official, 'utf8')));
  assert.equal(y2.gpu_number, 16, 'the official yaml\'s own settings are kept');
  assert.equal(y2.sample.noise_level, 1.1);
  assert.ok(!w2.some((m) => /identity band/.test(m)));
});

// ------------------------------------------------------------------ (f) bad arguments

test('(f) bad arguments are one-line user errors, and nothing is written', async () => {
  const dir = tmp('bad');
  const target = path.join(dir, 'out');
  const program = () => {
    const p = new Command('cmrp').exitOverride();
    register(p);
    return p;
  };
  const run = (...args: string[]) => program().parseAsync(['node', 'cmrp', 'export', 'official', '--out', target, ...args]);
  const badSft = path.join(dir, 'sft.json');
  fs.writeFileSync(badSft, JSON.stringify({ train: { task_weights: { vqa: -1 } } }));
  const zero = path.join(dir, 'zero.json');
  fs.writeFileSync(zero, JSON.stringify({ train: { task_weights: { roleplay: 0, knowledge: 0, vqa: 0, t2i: 0 }, mandatory_t2i: 0 } }));
  const badYaml = path.join(dir, 'bad.yaml');
  fs.writeFileSync(badYaml, 'reward_weights:\n  vqa: high\n');
  const cases: [string[], RegExp][] = [
    [['--character', 'Nobody'], /unknown character "Nobody"/],
    [['--character', 'Calmaric', '--sft-config', badSft], /sft\.json: train\.task_weights\.vqa: /],
    [['--character', 'Calmaric', '--sft-config', zero], /no task has both a weight > 0 and examples/],
    [['--character', 'Calmaric', '--grpo-config', 'huge'], /--grpo-config: "huge" is neither a preset/],
    [['--character', 'Calmaric', '--official-yaml', badYaml], /bad\.yaml: reward_weights\.vqa: expected a number/],
    [['--character', 'Calmaric', '--official-yaml', path.join(dir, 'none.yaml')], /--official-yaml: .*none\.yaml: no such file/],
    [['--character', 'Calmaric', '--data', path.join(dir, 'nowhere')], /--data: .*nowhere: no such folder/],
  ];
  for (const [args, re] of cases) {
    await assert.rejects(run(...args), (e: unknown) => e instanceof UserError && re.test(e.message) && !e.message.includes('\n'), args.join(' '));
  }
  // numbers are parsed at the option: commander's one-line usage error (exit 2 in the CLI)
  await assert.rejects(run('--character', 'Calmaric', '--shots', '0'), (e: unknown) => e instanceof CommanderError && e.code === 'commander.invalidArgument' && /--shots <k>.*expected a whole number from 1 to 1000/.test(e.message));
  assert.ok(!fs.existsSync(target), 'nothing written');
  // an existing export survives a failed one untouched
  fs.cpSync(out, target, { recursive: true });
  const before = fs.readdirSync(target).sort();
  await assert.rejects(run('--character', 'Calmaric', '--sft-config', badSft), UserError);
  assert.deepEqual(fs.readdirSync(target).sort(), before);
});

test('cmrp export official prints a summary and writes the README with the official commands', async () => {
  const target = path.join(tmp('cli'), 'out');
  const lines: string[] = [];
  const log = console.log;
  const err = process.stderr.write.bind(process.stderr);
  console.log = (...xs: unknown[]) => void lines.push(xs.join(' '));
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    const p = new Command('cmrp').exitOverride();
    register(p);
    await p.parseAsync(['node', 'cmrp', 'export', 'official', '--character', 'calmaric', '--out', target]);
  } finally {
    console.log = log;
    process.stderr.write = err;
  }
  assert.match(lines[0], /^export: Calmaric: K = 10 reference images; .*GRPO prompts \d+ \(held out: \d+\)/);
  const readme = read(target, 'README.md');
  for (const s of ['pretrain_unified_navit_fixed.py', '--dataset_config_file "data/configs/Calmaric/calmaric_cmrp.yaml"', 'ckpt_processing/ckpt_processing.sh', 'scripts/multi_node/bagel/train.py', '--config config/grpo.py:personalized_t2i_bagel', '--yaml_config personalized_t2i_bagel_calmaric_cmrp.yaml', 'TRAIN side']) {
    assert.ok(readme.includes(s), s);
  }
  const manifest = JSON.parse(read(target, 'cmrp-export.json')) as { files: string[]; character: string };
  assert.equal(manifest.character, 'Calmaric');
  assert.ok(manifest.files.includes('README.md'));
});
