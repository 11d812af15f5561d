/**
 * One policy playing one character: prompts are the policy's context for the character, then the
 * user's segments, then `<char>` (encoded as in training, one image-code cache for the run).
 * Replies and drawings go through the constrained generator of src/model/generate.ts.
 */
import type { Character } from '../../data/rolescape/types';
import type { Segment } from '../../train/tasks';
import { encodePrompt, ImageCodeCache } from '../../train/encode';
import { generateImages, generateReplies, imageDraws, GeneratedReply, SampleOptions } from '../../model/generate';
import type { DrawGroups, GroupDraw } from '../../grpo/rollout-draw';
import type { Policy } from '../policy';
import { UserError } from '../../util/errors';

export const userText = (text: string): Segment => ({ role: 'user', kind: 'text', text, loss: false });
export const userImage = (image: string): Segment => ({ role: 'user', kind: 'image', image, loss: false });

/** The shortest reply budget kept before a prompt is cut instead. */
export const MIN_REPLY_TOKENS = 16;

export interface ReplyOptions extends SampleOptions {
  maxTextTokens: number;
  /** false: the reply stays text (text-only metrics need no picture, and drawing costs 64 tokens). */
  allowImage: boolean;
}

export interface Reply extends GeneratedReply {
  /** The prompt ids the reply continues (ends with `<char>`). */
  prompt: Int32Array;
}

export class PolicySession {
  readonly cache: ImageCodeCache;
  readonly context: Segment[];
  /** Prompts whose user part was cut to fit (see `prompt`). */
  cropped = 0;
  /** Replies given less than maxTextTokens because the prompt and picture left less room. */
  shortened = 0;

  constructor(readonly policy: Policy, readonly character: Character) {
    this.cache = new ImageCodeCache(policy.tok);
    this.context = policy.context(character);
  }

  /**
   * The prompt for the user's segments, leaving `reserve` positions of block_size for the answer.
   * A prompt too long for that (real user lines can be long in a synthetic-world BPE) keeps the
   * context and the END of the user's part, the words nearest the reply. (No synthetic prompt is
   * ever cut; `cropped` counts them.)
   */
  async prompt(user: readonly Segment[], reserve = 0, model = this.policy.textModel): Promise<Int32Array> {
    const { tok } = this.policy;
    const full = await encodePrompt([...this.context, ...user], tok, this.cache);
    const limit = model.config.block_size - reserve;
    if (full.length <= limit) return full;
    const ctx = (await encodePrompt(this.context, tok, this.cache)).length - 1; // <bos> and the context, without <char>
    const head = ctx + (full[ctx] === tok.vocab.user ? 1 : 0);
    if (limit - head < 1) {
      throw new UserError(`eval: ${this.policy.name}'s context for ${this.character.id} is ${head} tokens, leaving no room for a prompt and ${reserve} answer tokens in block_size ${limit + reserve} (a long character card does not fit the model's window)`);
    }
    this.cropped++;
    return Int32Array.from([...full.subarray(0, head), ...full.subarray(full.length - (limit - head))]);
  }

  /**
   * One reply by the text model. Room is kept for its picture when pictures are allowed; the text
   * gets what is left, up to maxTextTokens (a long context, such as a character card, shortens
   * the reply before the prompt is cut: at least MIN_REPLY_TOKENS are kept).
   */
  async reply(user: readonly Segment[], opts: ReplyOptions): Promise<Reply> {
    const picture = opts.allowImage ? this.policy.tok.image.tokensPerImage + 2 : 0;
    const want = opts.maxTextTokens;
    const prompt = await this.prompt(user, Math.min(want, MIN_REPLY_TOKENS) + 1 + picture);
    const room = this.policy.textModel.config.block_size - prompt.length - 1 - picture;
    if (room < want) this.shortened++;
    const [r] = generateReplies(this.policy.textModel, this.policy.tok, prompt, 1, { ...opts, maxTextTokens: Math.min(want, room) });
    return { ...r, prompt };
  }

  /** n drawings (32x32 RGB) by the image model for the user's segments. */
  async draw(user: readonly Segment[], n: number, opts: SampleOptions): Promise<Uint8Array[]> {
    return this.drawAfter(await this.drawPrompt(user), n, opts);
  }

  /**
   * `draw` for several users' segments, the groups drawn by `drawGroups` (e.g. split across worker
   * threads) with the numbers of drawing them in turn: a drawing takes a fixed number of draws from
   * `opts.rng` (imageDraws), so group i starts i groups' draws ahead in the stream, and the stream
   * is left where drawing in turn leaves it.
   */
  async drawMany(users: readonly (readonly Segment[])[], n: number, opts: SampleOptions, drawGroups: DrawGroups): Promise<Uint8Array[][]> {
    const { tok } = this.policy;
    const prompts: Int32Array[] = [];
    for (const u of users) prompts.push(await this.drawPrompt(u));
    const per = imageDraws(tok, n, opts);
    // temperature and top-k as sampleLogits reads SampleOptions (absent: 1, every token)
    const groups = prompts.map((prompt, i): GroupDraw => ({ prompt, n, seed: opts.rng.seedAhead(i * per), temperature: opts.temperature ?? 1, topK: opts.topK ?? 0 }));
    const drawn = await drawGroups(groups);
    opts.rng.skip(per * groups.length);
    return drawn.map((g) => g.map((d) => tok.image.decode(d.codes)));
  }

  /** The image model's prompt for the user's segments, with room for `<boi>`, a drawing and `<eoi>`. */
  private drawPrompt(user: readonly Segment[]): Promise<Int32Array> {
    return this.prompt(user, this.policy.tok.image.tokensPerImage + 2, this.policy.imageModel);
  }

  /**
   * The picture of a reply: the one the policy drew itself, or one drawn for it. Unified policies
   * draw after the reply text in the same context (p(image | text, context), the paper's
   * factorization; the text is cut to leave room for the picture); separate models draw from the
   * reply text alone, as a text-to-image instruction, never seeing the conversation.
   */
  async pictureFor(r: Reply, opts: SampleOptions): Promise<Uint8Array> {
    const { policy } = this;
    if (r.imageCodes) return policy.tok.image.decode(r.imageCodes);
    if (!policy.sharedContext) return (await this.draw([userText(r.text)], 1, opts))[0];
    const room = policy.imageModel.config.block_size - r.prompt.length - (policy.tok.image.tokensPerImage + 2);
    const text = r.ids.filter((id) => policy.tok.vocab.isTextToken(id)).slice(0, Math.max(0, room)); // the reply text without its <eos>
    return this.drawAfter([...r.prompt, ...text], 1, opts)[0];
  }

  /** n drawings continuing a prompt (e.g. a prompt plus the reply text: the forced reply image). */
  drawAfter(prefix: ArrayLike<number>, n: number, opts: SampleOptions): Uint8Array[] {
    return generateImages(this.policy.imageModel, this.policy.tok, prefix, n, opts).map((codes) => this.policy.tok.image.decode(codes));
  }
}

/** Sampling options from the suite config (top_k 0 = none). */
export function sampling(rng: SampleOptions['rng'], temperature: number, topK: number): SampleOptions {
  return { rng, temperature, topK: topK > 0 ? topK : undefined };
}
