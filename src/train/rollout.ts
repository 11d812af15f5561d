/**
 * Rollouts for Character-GRPO: G samples per prompt from the current policy (one batched,
 * KV-cached decode per prompt, each group with its own random stream: grpo/rollout-draw.ts), decoded to
 * pixels for the judges, and packed as training sequences. Text-to-image: `prompt <boi> codes <eoi>`, the image codes are the targets. Role-play
 * (`sampleRoleplayRollouts`): the reply text then its picture, targets on both (see `kinds`).
 */
import type { Character, GrpoPrompt } from '../data/rolescape/types';
import type { Transformer } from '../model/transformer';
import type { Tokenizers } from '../tokenizers/bundle';
import type { Rng } from '../util/rng';
import { drawLocally, type DrawGroups, type GroupDraw } from '../grpo/rollout-draw';
import { encodeExample, encodePrompt, EncodedExample, ImageCodeCache, Batch } from './encode';
import type { Segment } from './tasks';

export interface Rollouts {
  prompts: GrpoPrompt[]; // one per rollout
  groups: number[]; // group id per rollout (index of its prompt in this step)
  codes: Int32Array[]; // image codes per rollout
  images: Uint8Array[]; // 32x32 RGB per rollout
  sequences: EncodedExample[]; // training sequences, targets on the image codes only (role-play: and the reply text)
  /** Role-play rollouts: the reply text per rollout, and per token of each sequence 1 = reply-text choice, 2 = image code, 3 = the model chose <eos> here (a forced <boi> follows), 0 = not a target. */
  texts?: string[];
  kinds?: Uint8Array[];
}

/** A role-play prompt for GRPO: a training scene up to a user turn the character answered with a picture. */
export interface RoleplayPrompt {
  /** The conversation before the reply (user and character turns, text only). */
  turns: Segment[];
  /** What the reward sees as the prompt: the generation instruction of the true reply's picture (CLIP-T), no VQA questions. */
  prompt: GrpoPrompt;
}

/** Role-play prompts from the character's TRAINING image-dialogues (evaluation uses the test ones). */
export function roleplayPrompts(c: Character): RoleplayPrompt[] {
  const out: RoleplayPrompt[] = [];
  for (const scene of c.dialogues.train) {
    const turns: Segment[] = [];
    for (const t of scene.turns) {
      if (t.role === 'machine' && t.imagePath && turns.length && turns[turns.length - 1].role === 'user') {
        out.push({ turns: turns.slice(), prompt: { sceneId: `roleplay-${scene.index}`, text: t.generationInstruction ?? (turns[turns.length - 1] as { text: string }).text, character: c.id, referenceImagesPath: '', questions: [] } });
        break;
      }
      turns.push({ role: t.role === 'user' ? 'user' : 'char', kind: 'text', text: t.text, loss: false });
    }
  }
  return out;
}

/**
 * Role-play rollouts: G replies per prompt, the reply text then its picture (a reply that ends
 * without drawing gets its picture drawn after the text, in the same context: the paper's
 * factorization). Targets: the reply's text choices, its choice to draw (`<boi>`) or to stop
 * (`<eos>`, scored where the forced `<boi>` stands), and the image codes.
 */
export async function sampleRoleplayRollouts(
  model: Transformer,
  tok: Tokenizers,
  c: Character,
  context: readonly Segment[],
  prompts: readonly RoleplayPrompt[],
  groupSize: number,
  opts: SampleRolloutOptions & { maxTextTokens: number },
): Promise<Rollouts> {
  const cache = opts.cache ?? new ImageCodeCache(tok);
  const v = tok.vocab;
  const span = tok.image.tokensPerImage;
  const encoded: Int32Array[] = [];
  for (const p of prompts) {
    const enc = await encodeExample({ task: 'roleplay', character: c.id, segments: [...context, ...p.turns] }, tok, cache);
    // keep room for the reply and its picture; the oldest tokens after <bos> go first
    const limit = model.config.block_size - opts.maxTextTokens - span - 3;
    const ids = Array.from(enc.ids);
    const promptIds = ids.length + 1 > limit ? [ids[0], ...ids.slice(ids.length - (limit - 2))] : ids;
    encoded.push(Int32Array.from([...promptIds, v.char]));
  }
  const drawn = await (opts.draw ?? drawLocally(model, tok))(groupDraws(encoded, groupSize, opts));
  const out: Rollouts = { prompts: [], groups: [], codes: [], images: [], sequences: [], texts: [], kinds: [] };
  drawn.forEach((group, g) => {
    const prompt = encoded[g];
    for (const { textIds, codes, chose } of group) {
      const seq = Int32Array.from([...prompt, ...textIds, v.boi, ...Array.from(codes, (k) => k + v.imageOffset), v.eoi]);
      const kinds = new Uint8Array(seq.length);
      kinds.fill(1, prompt.length, prompt.length + textIds.length + (chose ? 1 : 0)); // text choices (+ the chosen <boi>)
      // a reply that chose to end without a picture: that choice (<eos>) is scored at the position
      // where the forced <boi> now stands (not when <eos> was forced by the length limit)
      if (!chose && textIds.length < opts.maxTextTokens) kinds[prompt.length + textIds.length] = 3;
      kinds.fill(2, prompt.length + textIds.length + 1, prompt.length + textIds.length + 1 + codes.length);
      out.prompts.push(prompts[g].prompt);
      out.groups.push(g);
      out.codes.push(codes);
      out.images.push(tok.image.decode(codes));
      out.sequences.push({ task: 'roleplay', character: c.id, ids: seq, target: Uint8Array.from(kinds, (k) => (k ? 1 : 0)) });
      out.texts!.push(tok.decodeText(textIds));
      out.kinds!.push(kinds);
    }
  });
  return out;
}

export interface SampleRolloutOptions {
  /** The step's sampling stream: each group's drawings get a stream forked from it (`group <g>`). */
  rng: Rng;
  temperature: number;
  topK?: number;
  cache?: ImageCodeCache;
  /** Who draws the groups (default: this thread, in order); the drawings are the same either way. */
  draw?: DrawGroups;
  maxTextTokens?: number;
}

/** The step's groups as units of work; seeds are forked in group order on this thread. */
function groupDraws(prompts: Int32Array[], n: number, o: SampleRolloutOptions): GroupDraw[] {
  return prompts.map((prompt, g) => ({ prompt, n, seed: o.rng.forkSeed(`group ${g}`), temperature: o.temperature, topK: o.topK ?? 0, ...(o.maxTextTokens !== undefined ? { maxTextTokens: o.maxTextTokens } : {}) }));
}

/** Per-position kinds of a batch built by makeBatch from these sequences (same truncation rule). */
export function batchKinds(seqs: readonly EncodedExample[], kinds: readonly Uint8Array[], b: Batch): Uint8Array {
  const out = new Uint8Array(b.B * b.T);
  seqs.forEach((e, row) => {
    const start = Math.max(0, e.ids.length - 1 - b.T);
    for (let t = 0; t < b.T && start + t + 1 < e.ids.length; t++) out[row * b.T + t] = kinds[row][start + t + 1];
  });
  return out;
}

/** The prompt a drawing answers: the policy's context for the character, then the prompt as the user's turn. */
export async function grpoPromptIds(tok: Tokenizers, context: readonly Segment[], prompt: GrpoPrompt, cache: ImageCodeCache): Promise<Int32Array> {
  return encodePrompt([...context, { role: 'user', kind: 'text', text: prompt.text, loss: false }], tok, cache);
}

export async function sampleRollouts(
  model: Transformer,
  tok: Tokenizers,
  c: Character,
  context: readonly Segment[],
  prompts: readonly GrpoPrompt[],
  groupSize: number,
  opts: SampleRolloutOptions,
): Promise<Rollouts> {
  const cache = opts.cache ?? new ImageCodeCache(tok);
  const encoded: Int32Array[] = [];
  for (const p of prompts) encoded.push(await grpoPromptIds(tok, context, p, cache));
  const drawn = await (opts.draw ?? drawLocally(model, tok))(groupDraws(encoded, groupSize, { ...opts, maxTextTokens: undefined }));
  const out: Rollouts = { prompts: [], groups: [], codes: [], images: [], sequences: [] };
  drawn.forEach((group, g) => {
    const promptIds = encoded[g];
    for (const { codes } of group) {
      const ids = Int32Array.from([...promptIds, tok.vocab.boi, ...Array.from(codes, (k) => k + tok.vocab.imageOffset), tok.vocab.eoi]);
      const target = new Uint8Array(ids.length);
      target.fill(1, promptIds.length + 1, promptIds.length + 1 + codes.length);
      out.prompts.push(prompts[g]);
      out.groups.push(g);
      out.codes.push(codes);
      out.images.push(tok.image.decode(codes));
      out.sequences.push({ task: 't2i', character: c.id, ids, target });
    }
  });
  return out;
}
