/**
 * Where each exported file goes, named as the official UniCharacter checkout names them, so the
 * export folder is an overlay of that checkout (`cp -r DIR/data DIR/flow_grpo UniCharacter/`):
 *
 *   data/personalized_data/train/<Folder>/<id>.png                   the K reference images
 *   data/personalized_data/train/<Folder>/processed/t2i/<P>_*.jsonl   + <P>_*_parquet/chunk_000.parquet
 *   data/personalized_data/train/<Folder>/processed/vlm/<P>_*.jsonl
 *   data/configs/<Folder>/<slug>_cmrp.yaml                           the Unified-SFT dataset config
 *   flow_grpo/dataset/personalized_t2i/<G>/<G>_pure_t2i{,_with_vqa}.jsonl + the K reference images
 *   flow_grpo/config/personalized_t2i_bagel_<slug>_cmrp.yaml         the Character-GRPO config
 *   dataset_info_append.py, README.md, cmrp-export.json               outside the overlay
 *
 * <Folder> is the train folder ("Friends-Chandler"), <P> the file prefix ("Chandler"), <G> the
 * grpo folder ("Chandler", "Adrien_Brody"); <slug> names the datasets in the official
 * `DATASET_INFO` ("friends_chandler"), as the official registry derives them from the folder.
 */
import * as path from 'node:path';
import type { Character } from '../data/rolescape/types';
import { IMAGE_PATH_PREFIX, REFERENCE_PATH_PREFIX } from '../data/synth/templates';

/** The processed files Unified-SFT reads, by the suffix after `<P>_`. */
export const T2I_DATASETS = ['t2i', 'pure_t2i', 't2i_generation_instruction_only'] as const;
export const VLM_DATASETS = ['vlm', 'vlm_extension', 'knowledge_qa', 'vqa'] as const;
export type T2iDataset = (typeof T2I_DATASETS)[number];
export type VlmDataset = (typeof VLM_DATASETS)[number];

export interface ExportLayout {
  /** Train folder name, file prefix, grpo folder name, dataset-name stem. */
  folder: string;
  prefix: string;
  grpoFolder: string;
  slug: string;
  /** Paths relative to the export root, '/'-separated. */
  trainDir: string;
  t2iJsonl: (d: T2iDataset) => string;
  /** The parquet folder the official T2I loader lists (`DATASET_INFO[...]['data_dir']`). */
  t2iParquetDir: (d: T2iDataset) => string;
  vlmJsonl: (d: VlmDataset) => string;
  trainImage: (imageId: string) => string;
  datasetConfig: string;
  grpoDir: string;
  grpoPrompts: string;
  grpoPromptsPure: string;
  grpoImage: (imageId: string) => string;
  grpoYaml: string;
  datasetInfo: string;
  readme: string;
  manifest: string;
  /** Values written inside records: an image path (relative to the official `data/`), the reference folder (relative to `flow_grpo/`). */
  imageRef: (imageId: string) => string;
  referenceImagesPath: string;
  /** The prompt file as the GRPO yaml's `dataset` names it (relative to `flow_grpo/`, the working directory of the official run). */
  grpoDatasetPath: string;
  datasetName: (d: T2iDataset | VlmDataset) => string;
}

/** "Friends-Chandler" -> "friends_chandler": lower case, every run of other characters one underscore. */
export function slugOf(folder: string): string {
  const s = folder.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return s || 'character';
}

export function exportLayout(c: Character): ExportLayout {
  const folder = path.basename(c.folders.train);
  const prefix = c.id;
  const grpoFolder = c.folders.grpo ? path.basename(c.folders.grpo) : c.id.replace(/ /g, '_');
  const slug = slugOf(folder);
  const trainDir = `data/personalized_data/train/${folder}`;
  const grpoDir = `flow_grpo/dataset/personalized_t2i/${grpoFolder}`;
  const grpoYamlName = `personalized_t2i_bagel_${slug}_cmrp.yaml`;
  return {
    folder,
    prefix,
    grpoFolder,
    slug,
    trainDir,
    t2iJsonl: (d) => `${trainDir}/processed/t2i/${prefix}_${d}.jsonl`,
    t2iParquetDir: (d) => `${trainDir}/processed/t2i/${prefix}_${d}_parquet`,
    vlmJsonl: (d) => `${trainDir}/processed/vlm/${prefix}_${d}.jsonl`,
    trainImage: (id) => `${trainDir}/${id}.png`,
    datasetConfig: `data/configs/${folder}/${slug}_cmrp.yaml`,
    grpoDir,
    grpoPrompts: `${grpoDir}/${grpoFolder}_pure_t2i_with_vqa.jsonl`,
    grpoPromptsPure: `${grpoDir}/${grpoFolder}_pure_t2i.jsonl`,
    grpoImage: (id) => `${grpoDir}/${id}.png`,
    grpoYaml: `flow_grpo/config/${grpoYamlName}`,
    datasetInfo: 'dataset_info_append.py',
    readme: 'README.md',
    manifest: 'cmrp-export.json',
    imageRef: (id) => `${IMAGE_PATH_PREFIX}train/${folder}/${id}.png`,
    referenceImagesPath: `${REFERENCE_PATH_PREFIX}${grpoFolder}`,
    grpoDatasetPath: `dataset/personalized_t2i/${grpoFolder}/${grpoFolder}_pure_t2i_with_vqa.jsonl`,
    datasetName: (d) => `${slug}_${d}`,
  };
}

/** The parquet chunk inside a t2i parquet folder (the official folders hold one chunk each). */
export const PARQUET_CHUNK = 'chunk_000.parquet';
