/**
 * The official trainer finds a dataset by name in `DATASET_INFO` (UniCharacter data/dataset_info.py):
 * t2i datasets by their parquet folder, vlm datasets by their jsonl (images resolved under `data/`).
 * The export writes those entries as Python to append to that file (`cat dataset_info_append.py
 * >> data/dataset_info.py`): `.update()` on the module's dict, so names the release already has
 * (friends_chandler_vqa, ...) point at the exported files, with the same paths.
 */
import type { ExportLayout, T2iDataset, VlmDataset } from './layout';
import type { DatasetUse } from './dataset-config';
import { DatasetInfoSchema, checkWritten, type DatasetInfo } from './schemas';

export function datasetInfo(uses: DatasetUse[], L: ExportLayout): DatasetInfo {
  const info: DatasetInfo = { t2i_pretrain: {}, vlm_sft: {} };
  for (const u of uses) {
    if (u.group === 't2i_pretrain') info.t2i_pretrain[u.name] = { data_dir: L.t2iParquetDir(u.dataset as T2iDataset), num_files: 1, num_total_samples: u.records };
    else info.vlm_sft[u.name] = { data_dir: 'data', jsonl_path: L.vlmJsonl(u.dataset as VlmDataset), num_total_samples: u.records };
  }
  return checkWritten(DatasetInfoSchema, info, L.datasetInfo);
}

/** A Python literal: JSON strings and integers are valid Python as they are. */
const py = (v: string | number): string => (typeof v === 'number' ? String(v) : JSON.stringify(v));

export function datasetInfoPython(info: DatasetInfo, characterId: string): string {
  const block = (group: keyof DatasetInfo) =>
    [
      `DATASET_INFO[${py(group)}].update({`,
      ...Object.entries(info[group]).flatMap(([name, e]) => [
        `    ${py(name)}: {`,
        ...Object.entries(e as Record<string, string | number>).map(([k, v]) => `        ${py(k)}: ${py(v)},`),
        '    },',
      ]),
      '})',
    ].join('\n');
  return [
    `# cmrp-lab export of ${characterId}: the datasets its Unified-SFT config names.`,
    '# Append to UniCharacter/data/dataset_info.py:  cat dataset_info_append.py >> data/dataset_info.py',
    '# (paths are relative to the UniCharacter root, where torchrun is started)',
    block('t2i_pretrain'),
    block('vlm_sft'),
    '',
  ].join('\n');
}
