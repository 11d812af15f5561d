/**
 * What `t2i_diversity` >= 0.6 asks of a drawing, on the judges' own scale. The renderer draws each
 * prompt several times, first as the world does (figure centred: only background details vary),
 * then with the figure moved, scaled or mirrored (data/synth/placement.ts), and the same judges the
 * suite uses score:
 *   diversity        mean pairwise LPIPS among one prompt's drawings (the suite's t2i_diversity)
 *   identity_dino    mean cosine of each drawing to the character's K centred references
 *                    (the suite's t2i_identity_dino)
 *   other_character  LPIPS between this character's and the next character's drawing of the same
 *                    prompt under the same placement: how far apart two *different* figures are
 * Each value is per prompt (n = characters x prompts), with a 95% bootstrap interval. Drawings pass
 * `through` the image tokenizer as the suite's truth drawings do, so `centred` is
 * `t2i_diversity_truth`'s setting.
 */
import type { Judges } from '../judges';
import { renderImage32 } from '../judges/core/images';
import type { SynthIndex } from '../data/synth';
import { MOVED_FIGURE, ALIGNED_FIGURE, PlacementJitterSchema, samplePlacement, type PlacementJitter } from '../data/synth';
import { pairwiseDistances, similarityMatrix } from '../metrics/similarity';
import { bootstrapMeanInterval, mean, type BootstrapInterval } from '../util/stats';
import { Rng } from '../util/rng';
import { UserError } from '../util/errors';

type Entry = SynthIndex['characters'][number];

/** The placements compared by default; shifts in master pixels (128 wide: 16 = 4 pixels of the 32-pixel picture). */
export const DEFAULT_PLACEMENTS: Readonly<Record<string, PlacementJitter>> = {
  centred: PlacementJitterSchema.parse({}),
  mirrored: PlacementJitterSchema.parse({ flip: true }),
  'shift +-4 px': PlacementJitterSchema.parse({ shift_x: 16 }),
  'shift +-8 px': PlacementJitterSchema.parse({ shift_x: 32 }),
  'scale 0.6-1': PlacementJitterSchema.parse({ scale_min: 0.6 }),
  'mirror, shift +-6 px, scale 0.7-1': MOVED_FIGURE,
  // last: the rows share one seeded stream, so a row added before another would change its drawings
  'shift 0, 4 or 8 px (whole patches)': ALIGNED_FIGURE,
};

export interface DiversityScaleOptions {
  judges: Judges;
  index: SynthIndex;
  /** Character ids of the index (at least 2: `other_character` pairs each with the next). */
  characters: readonly string[];
  placements?: Readonly<Record<string, PlacementJitter>>;
  promptsPerCharacter?: number;
  samplesPerPrompt?: number;
  references?: number;
  seed?: number;
  through?: (pixels: Uint8Array) => Uint8Array;
}

export interface DiversityScaleRow {
  placement: string;
  jitter: PlacementJitter;
  diversity: BootstrapInterval;
  identity_dino: BootstrapInterval;
  other_character: BootstrapInterval;
}

export async function diversityScale(o: DiversityScaleOptions): Promise<DiversityScaleRow[]> {
  const prompts = o.promptsPerCharacter ?? 8, samples = o.samplesPerPrompt ?? 4, K = o.references ?? 10, seed = o.seed ?? 0;
  const through = o.through ?? ((x: Uint8Array) => x);
  if (o.characters.length < 2) throw new UserError(`diversity-scale: needs at least 2 characters (got ${o.characters.length})`);
  if (samples < 2) throw new UserError(`diversity-scale: samples per prompt must be >= 2 for a pairwise distance (got ${samples})`);
  const entries = o.characters.map((id) => {
    const e = o.index.characters.find((c) => c.id === id);
    if (!e) throw new UserError(`diversity-scale: character '${id}' is not in the index (has: ${o.index.characters.map((c) => c.id).join(', ')})`);
    return e;
  });
  const rng = new Rng(seed);
  const references = new Map<string, Uint8Array[]>();
  for (const e of entries) {
    const labels = e.images.train.slice(0, K);
    references.set(e.id, await Promise.all(labels.map((l, i) => renderImage32(e.identity, l, rng.fork(`ref:${e.id}:${i}`)))));
  }
  const draw = (e: Entry, label: Entry['images']['grpo'][number], jitter: PlacementJitter, r: Rng) =>
    renderImage32(e.identity, label, r.fork('scene'), samplePlacement(r.fork('placement'), jitter)).then(through);
  const rows: DiversityScaleRow[] = [];
  for (const [name, jitter] of Object.entries(o.placements ?? DEFAULT_PLACEMENTS)) {
    const diversity: number[] = [], identity: number[] = [], other: number[] = [];
    for (const [k, e] of entries.entries()) {
      const next = entries[(k + 1) % entries.length];
      for (const label of e.images.grpo.slice(0, prompts)) {
        // the same streams for every placement: only the figure's placement differs between rows
        const r = rng.fork(`draw:${e.id}:${label.sceneId}`);
        const drawings = await Promise.all(Array.from({ length: samples }, (_, i) => draw(e, label, jitter, r.fork(String(i)))));
        diversity.push(mean(pairwiseDistances(o.judges, drawings)));
        identity.push(mean(similarityMatrix(o.judges, drawings, references.get(e.id)!, 'dino').map(mean)));
        other.push(mean(pairwiseDistances(o.judges, [drawings[0], await draw(next, label, jitter, r.fork('other'))])));
      }
    }
    const ci = (xs: number[]) => bootstrapMeanInterval(xs, { seed })!;
    rows.push({ placement: name, jitter, diversity: ci(diversity), identity_dino: ci(identity), other_character: ci(other) });
  }
  return rows;
}
