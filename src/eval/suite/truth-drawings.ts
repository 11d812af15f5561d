/**
 * The synthetic renderer's own drawings for the held-out t2i prompts: what a model that draws
 * exactly the data distribution would produce. The same judges score them, so each t2i metric gets
 * a reference value per character, e.g. `t2i_diversity_truth` (for one prompt the renderer varies
 * only background details: stars, windows, trees) and `t2i_copy_rate_truth` (how often the true
 * picture is itself within copy distance of a training image). Each render is passed `through` the
 * policy's image tokenizer (encode, decode): a model that emits codes can at best draw that
 * reconstruction, and a reconstruction sits nearer to the training images' reconstructions than the
 * clean render does (Calmaric: copy rate 0.125 reconstructed vs 0 clean), so this is the fair
 * reference for a model's copy rate. A dataset built with `--placement` moves each truth figure the
 * same way. Synthetic characters only.
 */
import type { GrpoPrompt } from '../../data/rolescape/types';
import { renderImage32 } from '../../judges/core/images';
import { Rng } from '../../util/rng';
import { samplePlacement } from '../../data/synth/placement';
import type { T2iDrawings } from './t2i';
import type { SynthTruth } from '../../data/synth/truth';

/** The metrics scored on the renderer's drawings (reported as `<key>_truth`). */
export const TRUTH_T2I_KEYS = ['t2i_identity_dino', 't2i_identity_top1', 't2i_vqa_score', 't2i_diversity', 't2i_copy_rate'] as const;

/** `n` renders per prompt, each with its own background seed (the index gives each prompt's label). */
export async function truthDrawings(truth: SynthTruth, prompts: readonly GrpoPrompt[], n: number, seed: number, through: (pixels: Uint8Array) => Uint8Array = (x) => x): Promise<T2iDrawings[]> {
  const labels = new Map(truth.entry.images.grpo.map((g) => [g.sceneId, g]));
  const out: T2iDrawings[] = [];
  for (const p of prompts) {
    const label = labels.get(p.sceneId);
    if (!label || label.text !== p.text) throw new Error(`truthDrawings: GRPO prompt ${p.sceneId} of ${truth.entry.id} is not in the index as "${p.text}" (stale index.json?)`);
    const rng = new Rng(seed).fork(`truth:${p.sceneId}`);
    const drawings: Uint8Array[] = [];
    // a dataset whose figures move draws each truth picture moved as well (own stream: a centred one is unchanged)
    for (let i = 0; i < n; i++) drawings.push(through(await renderImage32(truth.entry.identity, label, rng.fork(String(i)), samplePlacement(new Rng(seed).fork(`truth-placement:${p.sceneId}:${i}`), truth.placement))));
    out.push({ prompt: p, drawings });
  }
  return out;
}
