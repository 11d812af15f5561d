/**
 * README.md of an export: what each file is, and the official commands that run them, taken from
 * UniCharacter's README ("Training Guide": the torchrun command of Stage 1, ckpt_processing.sh, the
 * flow_grpo launcher of Stage 2) with this export's paths filled in, plus what its code implies
 * (where the GRPO yaml must live, which working directory each stage expects, which GPU counts
 * the launcher accepts).
 */
import type { ExportLayout } from './layout';
import type { Mixture } from './dataset-config';
import type { ExportWarning } from './grpo-files';

export interface ReadmeInput {
  characterId: string;
  source: 'synthetic' | 'rolescape';
  dataDir: string;
  command: string;
  L: ExportLayout;
  shots: number;
  references: string[];
  files: { path: string; what: string; records?: number }[];
  mixture: Mixture;
  trainPrompts: number;
  evalPrompts: number;
  gpuNumber: number;
  /** The yaml's model.local_path (relative to flow_grpo/). */
  modelPath: string;
  /** Absolute path of the export folder. */
  outDir: string;
  warnings: ExportWarning[];
  sftNotes: string[];
}

const code = (lines: string[]) => ['```sh', ...lines, '```'].join('\n');

export function exportReadme(r: ReadmeInput): string {
  const L = r.L;
  const ckptDir = `results/checkpoints/cmrp_${L.slug}`;
  const step = '0000500';
  const grpoYamlName = L.grpoYaml.split('/').pop()!;
  const table = [
    '| file | what | records |',
    '| --- | --- | --- |',
    ...r.files.map((f) => `| \`${f.path}\` | ${f.what} | ${f.records ?? ''} |`),
  ].join('\n');
  return [
    `# ${r.characterId}: Unified-SFT and Character-GRPO data for the official UniCharacter pipeline`,
    '',
    `Exported by cmrp-lab from the ${r.source === 'synthetic' ? 'embedded synthetic dataset' : 'RoleScape-20 folder'} \`${r.dataDir}\`:`,
    '',
    code([r.command]),
    '',
    `The folder is an overlay of a UniCharacter checkout (github.com/Tangc03/UniCharacter): \`data/\` and \`flow_grpo/\``,
    'hold files at the paths the official code reads them from. Moving to the GPUs is a copy.',
    '',
    '## Files',
    '',
    table,
    '',
    `Unified-SFT data follows the workbench's \`cmrp sft\` selection: the K = ${r.shots} reference images (${r.references.join(', ')}),`,
    'their text-to-image and VQA records only; every training dialogue\'s reply text, and the knowledge QA. Prompts use',
    'the release\'s templates (with the character card, which the workbench\'s own prompts leave out). Text-to-image',
    'datasets are written twice: as jsonl (the release\'s layout) and as `<name>_parquet/chunk_000.parquet`, which is',
    'what the official T2I loader (`data/t2i_dataset.py`) reads: columns `image` (PNG bytes) and `captions` (JSON).',
    ...(r.source === 'synthetic'
      ? ['', 'The synthetic images are 128 x 128 vector drawings: the official transforms (`data/transforms.py`) scale them up to at', 'least 512 px (text-to-image) and 378 px (VQA).']
      : []),
    '',
    `**The GRPO prompt file holds only the TRAIN side of the workbench's prompt split** (\`splitGrpoPrompts\`):`,
    `${r.trainPrompts} prompts. The other ${r.evalPrompts} are held out: \`cmrp eval\` scores held-out text-to-image on them, so`,
    'the official run never trains on them. (flow_grpo\'s own evaluation loop re-reads the training file: with a',
    '`.jsonl` dataset its test split is the same file.)',
    '',
    '## 1. Copy into the checkout',
    '',
    code([
      'export UNICHAR=/path/to/UniCharacter   # a clone of github.com/Tangc03/UniCharacter, set up as its README says',
      `cd ${JSON.stringify(r.outDir)}`,
      `# the identity band (flow_grpo/flow_grpo/dino_scorer.py) reads EVERY image in the reference folder: keep only the K references`,
      `rm -rf "$UNICHAR/${L.grpoDir}"`,
      `cp -r data flow_grpo "$UNICHAR"/`,
      `cat ${L.datasetInfo} >> "$UNICHAR/data/dataset_info.py"   # registers the dataset names the SFT config uses`,
    ]),
    '',
    `For a RoleScape-20 character this replaces the release's files of ${r.characterId} in the checkout (\`git checkout -- data flow_grpo\``,
    'restores them); appending twice is harmless (the later entries win).',
    '',
    '## 2. Stage 1: Unified-SFT',
    '',
    'From the checkout root; the command of the official README ("Training Guide", Stage1: Unified-SFT) with this',
    'export\'s dataset config, checkpoint folder and run name (4 GPUs, 501 steps, lr 2e-5, as the release):',
    '',
    code([
      'cd "$UNICHAR"',
      'export num_nodes=1 node_rank=0 master_addr="localhost" master_port="21355"',
      'export model_path="models/BAGEL-7B-MoT"',
      'export CUDA_VISIBLE_DEVICES=0,1,2,3',
      'export PYTHONPATH="$UNICHAR:$PYTHONPATH"',
      'torchrun \\',
      '  --nnodes=$num_nodes --node_rank=$node_rank --nproc_per_node=4 \\',
      '  --master_addr=$master_addr --master_port=$master_port \\',
      '  pretrain_unified_navit_fixed.py \\',
      `  --dataset_config_file "${L.datasetConfig}" \\`,
      '  --model_path $model_path --layer_module Qwen2MoTDecoderLayer --max_latent_size 64 \\',
      '  --resume-from "models/BAGEL-7B-MoT" --finetune_from_hf True --auto_resume False \\',
      '  --resume-model-only True --finetune-from-ema True \\',
      '  --log_every 10 --lr 2e-5 --num_worker 1 \\',
      '  --expected_num_tokens 8192 --max_num_tokens 12288 --max_num_tokens_per_sample 8192 \\',
      `  --num_shard 4 --wandb_name cmrp_${L.slug} --total_steps 501 --warmup_steps 0 --cpu_offload True \\`,
      `  --checkpoint_dir ${ckptDir} --save_every 500`,
    ]),
    '',
    `The checkpoint of step 500 is \`${ckptDir}/${step}/\` (train/fsdp_utils.py names step folders \`%07d\`). Then the`,
    'README\'s post-processing step:',
    '',
    code([`bash ckpt_processing/ckpt_processing.sh --ckpt_dir "${ckptDir}/${step}/model"`]),
    '',
    `It writes \`${ckptDir}/${step}/model.safetensors\`; this repository's FSDP saver already writes that file, in`,
    'which case the script skips the conversion and only deletes the optimizer shards, scheduler.pt and data_status.',
    '',
    'The dataset config reproduces the workbench\'s mixture (per-record rates of `task_weights`, `mandatory_t2i`, K):',
    'see its header. The workbench\'s optimizer settings (steps, learning rate, LoRA) are for a 1.8 M-parameter model',
    'and are not exported: the command keeps the release\'s.',
    ...r.sftNotes.map((n) => `- ${n}`),
    '',
    '## 3. Stage 2: Character-GRPO',
    '',
    'From `flow_grpo/` (the yaml\'s paths are relative to it); the official README\'s command with this export\'s yaml.',
    'The loader (flow_grpo/config/load_personalized_t2i_config.py) reads the yaml by file name from `flow_grpo/config/`:',
    '',
    code([
      'cd "$UNICHAR/flow_grpo"',
      'python scripts/multi_node/bagel/train.py \\',
      `    --GPUS_PER_NODE ${r.gpuNumber} \\`,
      '    --MASTER_PORT 0 \\',
      '    --config config/grpo.py:personalized_t2i_bagel \\',
      `    --yaml_config ${grpoYamlName} \\`,
      `    --checkpoint_path "$UNICHAR/${ckptDir}/${step}/model.safetensors"`,
    ]),
    '',
    `- \`--GPUS_PER_NODE\` must be 8 or 16 (the launcher builds its accelerate command for those only) and should equal the`,
    '  yaml\'s `gpu_number`, which sets the number of batches per epoch.',
    '- The launcher sets `WANDB_API_KEY` to the placeholder `<wandb_api_key>`: put your key there, or run with',
    '  `WANDB_MODE=offline`.',
    `- The base model is looked up at \`${r.modelPath}\` (relative to flow_grpo/; \`../models/BAGEL-7B-MoT\` is the checkout root's), then on the Hugging Face hub.`,
    '',
    '## What differs from the workbench run',
    '',
    r.warnings.length ? r.warnings.map((w) => `- ${w.message}`).join('\n') : '- Nothing the export knows of.',
    '',
    'Each warning is also a `# WARNING:` comment at its key in the yaml.',
    '',
  ].join('\n');
}
