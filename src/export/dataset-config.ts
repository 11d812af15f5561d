/**
 * The Unified-SFT dataset config in the shape of the official data/configs/<Name>/<name>_full.yaml,
 * with the workbench's mixture (SftSchema: train.task_weights, train.mandatory_t2i, batch_size).
 *
 * How the official loader mixes (UniCharacter data/dataset_base.py PackedDataset): a packed
 * sequence first takes one sample of every group with `is_mandatory`, then draws groups by
 * `weight`; inside a group the datasets are one list. For `vlm_sft` that list is the jsonl lines
 * (`num_used_data` lines of each file, after a seeded shuffle): a dataset's share is its line count.
 * For `t2i_pretrain` it is parquet files: `num_used_data` is how many times the folder's files are
 * listed (data/parquet_utils.py get_parquet_data_paths), and each listing is one pass over all
 * its rows. (The release's configs write the row count there: 12 means 12 passes.)
 *
 * The workbench draws, per batch of B, `mandatory_t2i` text-to-image examples and B - m examples
 * by task weight, uniformly within a task. So each record has an expected rate (draws per batch):
 *   rate(task) = ((B - m) w_task / sum w + [task = t2i] m) / (records of the task)
 * and the export makes the official per-record rates proportional to it: group weights are the
 * groups' expected shares of samples; vlm files are listed (repeated, then a remainder) so that
 * lines ~ rate x records; t2i parquet listings ~ rate, scaled to at least MIN_T2I_LISTINGS so every
 * rank and worker gets files (with fewer listings than ranks x workers, a rank's T2I iterator is
 * empty and never yields).
 */
import type { SftConfig } from '../train/sft';
import { TASKS, type Task } from '../train/tasks';
import { UserError } from '../util/errors';
import { T2I_DATASETS, VLM_DATASETS, type ExportLayout, type T2iDataset, type VlmDataset } from './layout';
import { DatasetConfigSchema, checkWritten, type DatasetConfig } from './schemas';
import { TASK_OF, type SftData } from './sft-data';

export const MIN_T2I_LISTINGS = 64;
/** At most this many listings of one vlm file (a weight ratio beyond it is approximated, with a warning). */
export const MAX_VLM_REPEATS = 50;

/** The official groups' image and frame settings (UniCharacter data/configs/*_full.yaml). */
const T2I_TRANSFORM = { image_stride: 16, max_image_size: 1024, min_image_size: 512 };
const VLM_TRANSFORM = { image_stride: 14, max_image_size: 980, min_image_size: 378, max_pixels: 2007040 };
const FRAME_SAMPLER = { max_num_frames: 12, min_num_frames: 8 };

export interface DatasetUse {
  dataset: T2iDataset | VlmDataset;
  group: 't2i_pretrain' | 'vlm_sft';
  name: string;
  task: Task;
  records: number;
  /** Expected draws of each record per workbench batch. */
  rate: number;
  /** The num_used_data entries this dataset is listed with (one per listing). */
  entries: number[];
}

export interface Mixture {
  config: DatasetConfig;
  uses: DatasetUse[];
  /** Expected workbench examples per batch, by task; and the groups' shares of official samples. */
  perBatch: Record<Task, number>;
  shares: { t2i_pretrain: number; vlm_sft: number };
  mandatoryT2i: number;
  warnings: string[];
}

const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;

export function mixture(data: SftData, config: SftConfig, L: ExportLayout): Mixture {
  const records = (d: T2iDataset | VlmDataset) => ((data.t2i as Record<string, unknown[]>)[d] ?? (data.vlm as Record<string, unknown[]>)[d]).length;
  const count: Record<Task, number> = { roleplay: records('vlm') + records('vlm_extension'), knowledge: records('knowledge_qa'), vqa: records('vqa'), t2i: records('pure_t2i') + records('t2i_generation_instruction_only') };
  const B = config.train.batch_size;
  const m = count.t2i ? Math.min(config.train.mandatory_t2i, B) : 0;
  const w = Object.fromEntries(TASKS.map((t) => [t, count[t] ? config.train.task_weights[t] : 0])) as Record<Task, number>;
  const total = TASKS.reduce((a, t) => a + w[t], 0);
  if (total <= 0 && m === 0) throw new UserError(`SFT config: train.task_weights: no task has both a weight > 0 and examples (examples: ${TASKS.map((t) => `${t} ${count[t]}`).join(', ')})`);
  const perBatch = Object.fromEntries(TASKS.map((t) => [t, (total > 0 ? ((B - m) * w[t]) / total : 0) + (t === 't2i' ? m : 0)])) as Record<Task, number>;
  const rateOf = (t: Task) => (count[t] ? perBatch[t] / count[t] : 0);

  const uses: DatasetUse[] = [];
  for (const d of [...T2I_DATASETS, ...VLM_DATASETS]) {
    const n = records(d), rate = rateOf(TASK_OF[d]);
    if (n > 0 && rate > 0) uses.push({ dataset: d, group: (T2I_DATASETS as readonly string[]).includes(d) ? 't2i_pretrain' : 'vlm_sft', name: L.datasetName(d), task: TASK_OF[d], records: n, rate, entries: [] });
  }
  const warnings: string[] = [];
  const vlm = uses.filter((u) => u.group === 'vlm_sft');
  const t2i = uses.filter((u) => u.group === 't2i_pretrain');

  // vlm: lines ~ rate x records; the least-drawn file is listed once, the others repeated
  const vMin = Math.min(...vlm.map((u) => u.rate));
  for (const u of vlm) {
    let lines = Math.round((u.records * u.rate) / vMin);
    if (lines > u.records * MAX_VLM_REPEATS) {
      warnings.push(`SFT mixture: ${u.name} would need ${(lines / u.records).toFixed(0)} listings to match its task weight; capped at ${MAX_VLM_REPEATS} (its share is lower than in the workbench)`);
      lines = u.records * MAX_VLM_REPEATS;
    }
    u.entries = [...Array(Math.floor(lines / u.records)).fill(u.records), ...(lines % u.records ? [lines % u.records] : [])];
  }
  // t2i: parquet listings ~ rate, at least MIN_T2I_LISTINGS in all
  const tMin = Math.min(...t2i.map((u) => u.rate));
  const unit = t2i.reduce((a, u) => a + u.rate / tMin, 0);
  const scale = Math.max(1, Math.ceil(MIN_T2I_LISTINGS / unit));
  for (const u of t2i) u.entries = [Math.max(1, Math.round((scale * u.rate) / tMin))];

  const samples = (us: DatasetUse[]) => us.reduce((a, u) => a + u.rate * u.records, 0);
  const sT = samples(t2i), sV = samples(vlm);
  const shares = { t2i_pretrain: round(sT / (sT + sV)), vlm_sft: round(sV / (sT + sV)) };
  const names = (us: DatasetUse[]) => us.flatMap((u) => u.entries.map(() => u.name));
  const used = (us: DatasetUse[]) => us.flatMap((u) => u.entries);
  // keys in the release's order
  const raw = {
    ...(t2i.length
      ? { t2i_pretrain: { dataset_names: names(t2i), image_transform_args: T2I_TRANSFORM, is_mandatory: m > 0, num_used_data: used(t2i), weight: Math.max(shares.t2i_pretrain, 0.0001) } }
      : {}),
    ...(vlm.length
      ? {
          vlm_sft: {
            dataset_names: names(vlm), image_transform_args: VLM_TRANSFORM, frame_sampler_args: FRAME_SAMPLER, is_mandatory: false,
            shuffle_lines: true, shuffle_seed: 0, num_used_data: used(vlm), weight: Math.max(shares.vlm_sft, 0.0001),
          },
        }
      : {}),
  };
  return { config: checkWritten(DatasetConfigSchema, raw, L.datasetConfig), uses, perBatch, shares, mandatoryT2i: m, warnings };
}

/** The header and per-key comments of the dataset config YAML. */
export function mixtureComments(mx: Mixture, config: SftConfig, characterId: string): { top: string; keys: Record<string, { before?: string; inline?: string }> } {
  const t = config.train;
  const lines = mx.uses.map((u) => `  ${u.name.padEnd(36)} ${String(u.records).padStart(5)} records, task ${u.task.padEnd(9)} rate ${u.rate.toFixed(4)}/record/batch -> ${u.group === 't2i_pretrain' ? `${u.entries[0]} parquet listings` : `${u.entries.reduce((a, b) => a + b, 0)} lines`}`);
  const top = [
    `Unified-SFT dataset config for ${characterId}, exported by cmrp-lab (cmrp export official).`,
    `Shape of UniCharacter data/configs/<Name>/<name>_full.yaml; dataset names are registered by dataset_info_append.py.`,
    `Workbench mixture: K = ${config.shots} reference images, data ${config.data}, batch ${t.batch_size}, mandatory_t2i ${mx.mandatoryT2i},`,
    `task_weights ${Object.entries(t.task_weights).map(([k, v]) => `${k} ${v}`).join(', ')}.`,
    `Expected examples per workbench batch: ${TASKS.map((k) => `${k} ${mx.perBatch[k].toFixed(2)}`).join(', ')}.`,
    `Per-record rates are kept: group weights are the groups' expected shares of samples, vlm files are listed`,
    `(repeated) so their lines follow the rates, t2i num_used_data counts parquet listings (one pass each).`,
    ...lines,
  ].join('\n');
  const keys: Record<string, { before?: string; inline?: string }> = {};
  if (mx.config.t2i_pretrain) {
    keys['t2i_pretrain.is_mandatory'] = { inline: mx.mandatoryT2i > 0 ? `workbench: ${mx.mandatoryT2i} of ${t.batch_size} examples in every batch are text-to-image; here one heads every packed sequence` : 'workbench: mandatory_t2i 0' };
    keys['t2i_pretrain.num_used_data'] = { inline: 'parquet listings (UniCharacter data/parquet_utils.py), not rows' };
    keys['t2i_pretrain.weight'] = { inline: 'expected share of samples (the release used 20000 vs 1)' };
  }
  if (mx.config.vlm_sft) {
    keys['vlm_sft.is_mandatory'] = { inline: 'the workbench forces only text-to-image into every batch' };
    keys['vlm_sft.num_used_data'] = { inline: 'lines per listing; a file listed twice is drawn twice as often' };
    keys['vlm_sft.weight'] = { inline: 'expected share of samples' };
  }
  return { top, keys };
}
