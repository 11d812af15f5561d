/**
 * Setting up (or resuming) Character-GRPO for one character from its Unified-SFT model: the policy
 * (all weights, or LoRA adapters: a LoRA SFT keeps training its adapter), the frozen reference
 * when beta > 0, the GRPO training prompts (the train side of splitGrpoPrompts), the K reference
 * images for the identity band, and the judges.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../util/errors';
import { loadCharacter, type Character } from '../data/rolescape';
import { splitGrpoPrompts } from '../data/grpo-split';
import { loadModelOrAdapter, saveAdapter, isAdapterDir } from '../model/adapter';
import { saveCheckpoint, loadCheckpointState } from '../model/checkpoint';
import { LoraAdapters } from '../model/lora';
import { loadJudges } from '../judges';
import { loadTextJudges } from '../judges/text';
import { readImages32 } from '../tokenizers/image-io';
import { bandReferences, TEXT_SIDE_COMPONENTS } from '../rewards';
import { characterContext } from './tasks';
import { roleplayPrompts } from './rollout';
import { loadRoleScape } from '../data/rolescape';
import { styleCandidates } from '../metrics/style';
import { referenceImages } from '../data/shots';
import type { GrpoConfig } from './grpo-config';
import { GrpoTrainer, readGrpoHistory, GRPO_HISTORY_FILE } from './grpo';
import { discardStaleHistory } from './history';

export interface GrpoSetupOptions {
  /** The SFT model (checkpoint or adapter folder). */
  modelDir: string;
  dataDir: string;
  character: string | Character;
  outDir: string | null;
  judgesDir: string;
  /** Needed only when a text-side reward has a weight. */
  textJudgesDir?: string;
  log?: (line: string) => void;
}


export async function prepareGrpo(config: GrpoConfig, o: GrpoSetupOptions): Promise<GrpoTrainer> {
  const log = o.log ?? (() => {});
  const resume = o.outDir !== null && fs.existsSync(path.join(o.outDir, GRPO_HISTORY_FILE)) && (fs.existsSync(path.join(o.outDir, 'config.json')) || isAdapterDir(o.outDir));
  if (!resume) discardStaleHistory(o.outDir, GRPO_HISTORY_FILE);
  const c = typeof o.character === 'string' ? (await loadCharacter(o.dataDir, o.character)).character : o.character;
  const sft = loadModelOrAdapter(resume ? o.outDir! : o.modelDir);
  const { model, tokenizers: tok } = sft;
  let adapters = model.adapters;
  let adapterBase: string | null = sft.adapterManifest?.base ?? null;
  if (!adapters && config.mode === 'lora') {
    model.adapters = adapters = new LoraAdapters(config.lora, model, config.seed);
    adapterBase = path.resolve(o.modelDir);
  }
  const trainable = adapters ? adapters.params : model.params;
  const save = adapters
    ? (dir: string, opts: Parameters<typeof saveCheckpoint>[3]) => saveAdapter(dir, adapters!, adapterBase!, opts)
    : (dir: string, opts: Parameters<typeof saveCheckpoint>[3]) => saveCheckpoint(dir, model, tok, opts);
  const reference = config.beta > 0 ? loadModelOrAdapter(resume ? String(sft.meta.sft_model ?? o.modelDir) : o.modelDir).model : null;
  const shots = Number((sft.meta.sft as { shots?: number } | undefined)?.shots ?? 10);
  // the band compares drawings with the references as PNGs and as tokenizer reconstructions (a
  // drawing is made of codebook patches; see src/rewards/config.ts for the calibration)
  const references = bandReferences(await readImages32(referenceImages(c, shots)), tok.image);
  const prompts = splitGrpoPrompts(c.grpo).train;
  if (config.rollouts === 't2i' && !prompts.length) throw new UserError(`${c.id}: no GRPO prompts (expected grpo/<Name>/*_pure_t2i_with_vqa.jsonl in ${c.root})`);
  const needsText = config.rollouts === 'roleplay' || TEXT_SIDE_COMPONENTS.some((k) => (config.rewards.weights as Record<string, number>)[k] > 0);
  if (needsText && !o.textJudgesDir) throw new UserError(`rollouts / rewards.weights: role-play rollouts and the text-side rewards (${TEXT_SIDE_COMPONENTS.join(', ')}) need the text judges (--text-judges DIR)`);
  const meta = {
    ...sft.meta, kind: 'grpo', name: 'unified-sft+grpo', character: c.id, sft_model: path.resolve(resume ? String(sft.meta.sft_model ?? o.modelDir) : o.modelDir),
  };
  const trainer = new GrpoTrainer(
    {
      model, tok, character: c, prompts, roleplayPrompts: roleplayPrompts(c), context: characterContext(c), references, judges: loadJudges(o.judgesDir),
      styleCandidates: needsText ? styleCandidates((await loadRoleScape(c.root)).characters) : undefined,
      textJudges: needsText ? await loadTextJudges(o.textJudgesDir!) : undefined, reference, trainable, save, meta,
    },
    config,
    o.outDir,
  );
  if (resume) {
    const saved = loadCheckpointState(o.outDir!);
    const t = saved?.state.adam_t;
    const step = typeof saved?.state.step === 'number' ? saved.state.step : undefined;
    trainer.resumeFrom(readGrpoHistory(o.outDir!), typeof t === 'number' && saved ? { t, tensors: saved.tensors, rewards: saved.state.rewards as never, step } : undefined);
    log(`resuming from ${o.outDir} at step ${trainer.step}`);
  }
  log(`${c.id}: Character-GRPO (${adapters ? 'LoRA' : 'full'}) from ${o.modelDir}; ${config.rollouts === 'roleplay' ? `role-play rollouts on ${trainer.parts.roleplayPrompts.length} training image-dialogues` : `${prompts.length} training prompts`}, ${config.prompts_per_step} x G=${config.num_generations} per step; ${references.length / 2} reference images`);
  return trainer;
}
