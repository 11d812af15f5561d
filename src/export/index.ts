/**
 * `exportOfficial`: one character's Unified-SFT data, dataset config, Character-GRPO prompts and
 * config, written as the official UniCharacter pipeline reads them (layout.ts), with a README of
 * the commands that run them. The folder is built aside and swapped in atomically.
 *
 *   npx cmrp export official --character NAME [--data DIR] --out DIR
 *       [--sft-config default|FILE] [--grpo-config default|FILE] [--official-yaml FILE] [--shots K]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadCharacter } from '../data/rolescape/load';
import type { Character } from '../data/rolescape/types';
import { fromOfficialYaml } from '../rewards/config';
import { GRPO_PRESETS, resolveGrpoConfig, type GrpoConfig } from '../train/grpo-config';
import { SFT_PRESETS, resolveSftConfig, type SftConfig } from '../train/sft';
import { UserError } from '../util/errors';
import { replaceDirAtomic, writeJsonAtomic } from '../util/fs';
import { mixture, mixtureComments, type Mixture } from './dataset-config';
import { datasetInfo, datasetInfoPython } from './dataset-info';
import { grpoPromptFiles, grpoYaml, grpoYamlComments, readOfficialYaml, type ExportWarning } from './grpo-files';
import { toJsonl } from './jsonl';
import { exportLayout, PARQUET_CHUNK, T2I_DATASETS, VLM_DATASETS, type ExportLayout } from './layout';
import { writeParquet } from './parquet';
import { exportReadme } from './readme';
import { PureT2iOutSchema, T2iOutSchema, VlmOutSchema, VqaOutSchema, checkWritten } from './schemas';
import { sftData } from './sft-data';
import { toYaml } from './yaml';

export { exportLayout, slugOf, T2I_DATASETS, VLM_DATASETS, PARQUET_CHUNK, type ExportLayout } from './layout';
export { sftData, TASK_OF, type SftData } from './sft-data';
export { mixture, MIN_T2I_LISTINGS, type Mixture, type DatasetUse } from './dataset-config';
export { datasetInfo, datasetInfoPython } from './dataset-info';
export { grpoPromptFiles, grpoYaml, grpoWarnings, OFFICIAL_TEMPLATE, type ExportWarning } from './grpo-files';
export { writeParquet, readParquet } from './parquet';
export { toYaml, pyYamlFloat } from './yaml';
export { toJsonl, parseJsonl } from './jsonl';
export * from './schemas';

export interface ExportOptions {
  /** A character id (or train/grpo folder name) in `dataDir`, or a loaded character. */
  character: string | Character;
  /** The dataset root (the embedded synthetic one, or a RoleScape-20 folder). */
  dataDir: string;
  outDir: string;
  /** SFT / GRPO config: a preset name or a JSON file (default 'default'). */
  sftConfig?: string;
  grpoConfig?: string;
  /** Reward weights and thresholds from this personalized_t2i_bagel.yaml (as `cmrp grpo --official-yaml`), and its other settings as the template. */
  officialYaml?: string;
  /** Overrides the SFT config's shots (K). */
  shots?: number;
  /** The command line, for the README (default: a reconstruction). */
  command?: string;
  /** Each warning, once (the CLI prints them on stderr). */
  warn?: (message: string) => void;
  /** Called once everything is checked, just before `outDir` is written (the CLI claims --out there, so a refused export writes nothing). */
  beforeWrite?: () => void;
}

export interface ExportResult {
  outDir: string;
  character: string;
  layout: ExportLayout;
  sft: SftConfig;
  grpo: GrpoConfig;
  mixture: Mixture;
  counts: Record<string, number>;
  trainPrompts: number;
  evalPrompts: number;
  references: string[];
  /** Every file written, relative to outDir. */
  files: string[];
  warnings: ExportWarning[];
}

function resolveConfigs(o: ExportOptions): { sft: SftConfig; grpo: GrpoConfig; template?: Record<string, unknown> } {
  if (o.shots !== undefined && (!Number.isInteger(o.shots) || o.shots < 1)) throw new UserError(`--shots: expected a positive integer, found ${o.shots}`);
  for (const [flag, v, presets] of [['--sft-config', o.sftConfig, SFT_PRESETS], ['--grpo-config', o.grpoConfig, GRPO_PRESETS]] as const) {
    if (v !== undefined && !Object.prototype.hasOwnProperty.call(presets, v) && !fs.existsSync(v)) throw new UserError(`${flag}: "${v}" is neither a preset (${Object.keys(presets).join(', ')}) nor a file`);
  }
  const sft = resolveSftConfig(o.sftConfig ?? 'default', o.shots !== undefined ? { shots: o.shots } : {});
  let template: Record<string, unknown> | undefined;
  let overrides: Record<string, unknown> = {};
  if (o.officialYaml) {
    template = readOfficialYaml(o.officialYaml);
    overrides = { rewards: fromOfficialYaml(template, o.officialYaml) };
  }
  return { sft, grpo: resolveGrpoConfig(o.grpoConfig ?? 'default', overrides), template };
}

export async function exportOfficial(o: ExportOptions): Promise<ExportResult> {
  const { sft, grpo, template } = resolveConfigs(o);
  const c = typeof o.character === 'string' ? (await loadCharacter(o.dataDir, o.character)).character : o.character;
  const L = exportLayout(c);
  const data = sftData(c, sft, L);
  if (sft.data !== 'text-only' && data.references.length === 0) throw new UserError(`${c.id}: no training images in ${c.root} (the export needs the K reference images)`);
  const mx = mixture(data, sft, L);
  const prompts = grpoPromptFiles(c, L);
  if (prompts.trainPrompts === 0) throw new UserError(`${c.id}: no GRPO prompts (expected grpo/<Name>/*_pure_t2i_with_vqa.jsonl in ${c.root})`);
  const gy = grpoYaml(grpo, L, { characterId: c.id, trainPrompts: prompts.trainPrompts, template });
  const warnings: ExportWarning[] = [...mx.warnings.map((message) => ({ key: '', message })), ...sftWarnings(sft), ...gy.warnings];
  for (const w of warnings) o.warn?.(w.message);

  const files: { path: string; content: string | Uint8Array; what: string; records?: number }[] = [];
  const add = (p: string, content: string | Uint8Array, what: string, records?: number) => files.push({ path: p, content, what, records });
  const counts: Record<string, number> = {};
  // Unified-SFT: jsonl (validated), parquet for t2i, the K reference images
  const pngs = new Map(data.references.map((r) => [r.id, fs.readFileSync(r.path)]));
  for (const d of T2I_DATASETS) {
    const rows = data.t2i[d];
    counts[`${d}`] = rows.length;
    if (!rows.length) continue;
    rows.forEach((r, i) => checkWritten(d === 'pure_t2i' ? PureT2iOutSchema : T2iOutSchema, r, `${L.t2iJsonl(d)}: line ${i + 1}`));
    add(L.t2iJsonl(d), toJsonl(rows), T2I_WHAT[d], rows.length);
    const images = rows.map((r) => pngs.get(path.basename(r.image, '.png'))!);
    const captions = rows.map((r) => new TextEncoder().encode(JSON.stringify({ caption: r.text })));
    add(`${L.t2iParquetDir(d)}/${PARQUET_CHUNK}`, writeParquet([{ name: 'image', utf8: false, values: images }, { name: 'captions', utf8: true, values: captions }]), 'the same, as the official T2I loader reads it', rows.length);
  }
  for (const d of VLM_DATASETS) {
    const rows = data.vlm[d];
    counts[`${d}`] = rows.length;
    if (!rows.length) continue;
    rows.forEach((r, i) => checkWritten(d === 'vqa' ? VqaOutSchema : VlmOutSchema, r, `${L.vlmJsonl(d)}: line ${i + 1}`));
    add(L.vlmJsonl(d), toJsonl(rows), VLM_WHAT[d], rows.length);
  }
  for (const r of data.references) add(L.trainImage(r.id), pngs.get(r.id)!, 'reference image (the records\' images)');
  const mc = mixtureComments(mx, sft, c.id);
  const sftSide = [...mx.warnings.map((message) => ({ key: '', message })), ...sftWarnings(sft)];
  if (sftSide.length) mc.top += '\n' + sftSide.map((w) => `WARNING: ${w.message}`).join('\n');
  add(L.datasetConfig, toYaml(mx.config, mc), 'Unified-SFT dataset config (--dataset_config_file)');
  add(L.datasetInfo, datasetInfoPython(datasetInfo(mx.uses, L), c.id), 'entries to append to data/dataset_info.py');
  // Character-GRPO: prompts, reference images, yaml
  add(L.grpoPrompts, toJsonl(prompts.withVqa), 'GRPO prompts with weighted VQA questions (the yaml\'s dataset; TRAIN side only)', prompts.trainPrompts);
  add(L.grpoPromptsPure, toJsonl(prompts.pure), 'the same prompts without questions (as the release ships them)', prompts.trainPrompts);
  for (const r of data.references) add(L.grpoImage(r.id), pngs.get(r.id)!, 'identity-band reference image');
  const gc = grpoYamlComments(gy, { characterId: c.id, trainPrompts: prompts.trainPrompts, evalPrompts: prompts.evalPrompts, references: data.references.length, officialYaml: o.officialYaml });
  add(L.grpoYaml, toYaml(gy.yaml, gc), 'Character-GRPO config (--yaml_config; lives in flow_grpo/config/)');

  const references = data.references.map((r) => r.id);
  const command = o.command ?? reconstructCommand(o, c.id);
  const readmeFiles = collapse(files);
  const readme = exportReadme({
    characterId: c.id, source: isSynthetic(c.root) ? 'synthetic' : 'rolescape', dataDir: c.root, command, L, shots: sft.shots, references,
    files: readmeFiles, mixture: mx, trainPrompts: prompts.trainPrompts, evalPrompts: prompts.evalPrompts, gpuNumber: gy.yaml.gpu_number, modelPath: gy.yaml.model.local_path, outDir: path.resolve(o.outDir), warnings, sftNotes: sftNotes(sft),
  });
  add(L.readme, readme, 'this file');
  const manifest = {
    format: 'cmrp-export-official/1', character: c.id, data: c.root, command, layout: { folder: L.folder, prefix: L.prefix, grpo_folder: L.grpoFolder, slug: L.slug },
    references, counts, grpo_prompts: { train: prompts.trainPrompts, eval: prompts.evalPrompts }, mixture: { per_batch: mx.perBatch, shares: mx.shares, datasets: mx.uses },
    sft, grpo, warnings: warnings.map((w) => w.message), files: [...files.map((f) => f.path), L.manifest].sort(),
  };

  o.beforeWrite?.();
  await replaceDirAtomic(o.outDir, (tmp) => {
    for (const f of files) {
      const p = path.join(tmp, f.path);
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, f.content);
    }
    writeJsonAtomic(path.join(tmp, L.manifest), manifest);
  });
  return {
    outDir: path.resolve(o.outDir), character: c.id, layout: L, sft, grpo, mixture: mx, counts, trainPrompts: prompts.trainPrompts, evalPrompts: prompts.evalPrompts,
    references, files: manifest.files, warnings,
  };
}

const T2I_WHAT: Record<string, string> = {
  t2i: 'role-play: dialogue -> the reply\'s image (reference images only)',
  pure_t2i: 'text-to-image from the t2i instructions (reference images only)',
  t2i_generation_instruction_only: 'text-to-image from the dialogue turns\' generation instructions (reference images only)',
};
const VLM_WHAT: Record<string, string> = {
  vlm: 'role-play replies to the image-grounded dialogues (text)',
  vlm_extension: 'role-play replies to the text-only dialogues',
  knowledge_qa: 'knowledge QA',
  vqa: 'VQA on the reference images',
};

function sftWarnings(sft: SftConfig): ExportWarning[] {
  return sft.mode === 'lora' ? [{ key: '', message: 'SFT mode lora is not exported: the official Unified-SFT (pretrain_unified_navit_fixed.py) trains all weights' }] : [];
}

function sftNotes(sft: SftConfig): string[] {
  return [
    `Workbench SFT: ${sft.train.steps} steps of ${sft.train.batch_size}, lr ${sft.train.learning_rate} -> ${sft.train.min_lr}, ${sft.mode} finetuning; data ${sft.data}.`,
    'The thinking variants of the release (`*_t2i_with_thinking`, `*_vlm_thinking`) are not exported: the workbench trains no thinking text.',
  ];
}

/** The README's file table: a parquet chunk and the reference images are listed once per folder. */
function collapse(files: { path: string; what: string; records?: number }[]): { path: string; what: string; records?: number }[] {
  const out: { path: string; what: string; records?: number }[] = [];
  const seen = new Set<string>();
  for (const f of files) {
    const key = f.path.endsWith('.png') ? `${path.posix.dirname(f.path)}/<id>.png` : f.path;
    if (seen.has(key)) continue;
    seen.add(key);
    const n = f.path.endsWith('.png') ? files.filter((g) => g.path.endsWith('.png') && path.posix.dirname(g.path) === path.posix.dirname(f.path)).length : f.records;
    out.push({ path: key, what: f.what, records: n });
  }
  return out;
}

const isSynthetic = (root: string) => fs.existsSync(path.join(root, 'index.json'));

function reconstructCommand(o: ExportOptions, id: string): string {
  return [
    'npx cmrp export official', `--character ${JSON.stringify(id)}`, `--data ${JSON.stringify(o.dataDir)}`, `--out ${JSON.stringify(o.outDir)}`,
    ...(o.sftConfig ? [`--sft-config ${o.sftConfig}`] : []), ...(o.grpoConfig ? [`--grpo-config ${o.grpoConfig}`] : []),
    ...(o.officialYaml ? [`--official-yaml ${o.officialYaml}`] : []), ...(o.shots !== undefined ? [`--shots ${o.shots}`] : []),
  ].join(' ');
}
