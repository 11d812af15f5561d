/**
 * The unified model's one vocabulary:
 *
 *   [0, 16)                          special tokens (9 named, 7 reserved so that new ones can be
 *                                    added without moving any text or image id)
 *   [16, 16 + T)                     text tokens (the text tokenizer's ids + 16)
 *   [16 + T, 16 + T + K)             image codes (the image tokenizer's codes + 16 + T)
 *
 * With the defaults (T = 1008, K = 512) the size is 1536, BASE_CONFIG's vocab_size.
 *
 * Modality (which Mixture-of-Transformers expert a token goes to): 1 for image codes, 0 for
 * everything else, <boi> and <eoi> included: as in BAGEL, the markers around an image are
 * text-side tokens and only the image's own tokens take the image (generation) path.
 */
/** Named special tokens, in id order. */
export const SPECIAL_TOKENS = [
  '<pad>', // padding; never a target
  '<bos>', // start of a sequence
  '<eos>', // end of a turn / of a sequence
  '<user>', // a user turn follows
  '<char>', // the role-played character's turn follows
  '<sys>', // an instruction follows (task, system prompt)
  '<boi>', // begin of image: tokensPerImage image codes follow
  '<eoi>', // end of image
  '<card>', // the character card (persona profile) follows
] as const;
export type SpecialToken = (typeof SPECIAL_TOKENS)[number];
/** Slots kept for special tokens (the named ones plus reserved ones). */
export const SPECIAL_SLOTS = 16;

/** Modality ids (the MoT expert a token takes); the model routes by them (src/model/config.ts re-exports them). */
export const MODALITY_TEXT = 0;
export const MODALITY_IMAGE = 1;
export type Modality = typeof MODALITY_TEXT | typeof MODALITY_IMAGE;

/** What `tokenizers.json` stores for the layout (checked against the tokenizers on load). */
export interface VocabJson {
  size: number;
  specials: string[];
  text_offset: number;
  text_size: number;
  image_offset: number;
  image_size: number;
}

export class Vocab {
  /** Names of the special slots: the named tokens then `<reserved_9>` … `<reserved_15>`. */
  readonly specials: readonly string[];
  readonly textOffset: number;
  readonly textSize: number;
  readonly imageOffset: number;
  readonly imageSize: number;
  /** Total number of token ids (the model's vocab_size). */
  readonly size: number;
  /** [first, end) ids of image codes. */
  readonly imageTokenRange: readonly [number, number];
  /** [first, end) ids of text tokens. */
  readonly textTokenRange: readonly [number, number];
  readonly pad: number;
  readonly bos: number;
  readonly eos: number;
  readonly user: number;
  readonly char: number;
  readonly sys: number;
  readonly boi: number;
  readonly eoi: number;
  readonly card: number;

  constructor(textSize: number, imageSize: number) {
    for (const [name, v] of [['textSize', textSize], ['imageSize', imageSize]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`Vocab: ${name} must be a positive integer, got ${v}`);
    }
    this.specials = Array.from({ length: SPECIAL_SLOTS }, (_, i) => SPECIAL_TOKENS[i] ?? `<reserved_${i}>`);
    this.textOffset = SPECIAL_SLOTS;
    this.textSize = textSize;
    this.imageOffset = SPECIAL_SLOTS + textSize;
    this.imageSize = imageSize;
    this.size = this.imageOffset + imageSize;
    this.textTokenRange = [this.textOffset, this.imageOffset];
    this.imageTokenRange = [this.imageOffset, this.size];
    [this.pad, this.bos, this.eos, this.user, this.char, this.sys, this.boi, this.eoi, this.card] = SPECIAL_TOKENS.map((_, i) => i);
  }

  /** Id of a special token by name (`'<boi>'`). */
  special(name: SpecialToken): number {
    const i = (SPECIAL_TOKENS as readonly string[]).indexOf(name);
    if (i < 0) throw new RangeError(`special: unknown special token ${JSON.stringify(name)}; known: ${SPECIAL_TOKENS.join(' ')}`);
    return i;
  }

  isSpecial(id: number): boolean {
    return id >= 0 && id < SPECIAL_SLOTS;
  }

  isTextToken(id: number): boolean {
    return id >= this.textOffset && id < this.imageOffset;
  }

  isImageToken(id: number): boolean {
    return id >= this.imageOffset && id < this.size;
  }

  /** 1 for image codes, 0 for text and special tokens (the MoT routing id). */
  modality(id: number): Modality {
    return this.isImageToken(id) ? MODALITY_IMAGE : MODALITY_TEXT;
  }

  /** Modality of each id (the `modality` input of Transformer.forward). */
  modalities(ids: ArrayLike<number>): Int32Array {
    const out = new Int32Array(ids.length);
    for (let i = 0; i < ids.length; i++) out[i] = this.isImageToken(ids[i]) ? MODALITY_IMAGE : MODALITY_TEXT;
    return out;
  }

  /** Text-tokenizer ids -> vocabulary ids. */
  fromText(textIds: ArrayLike<number>): Int32Array {
    const out = new Int32Array(textIds.length);
    for (let i = 0; i < textIds.length; i++) {
      const t = textIds[i];
      if (!Number.isInteger(t) || t < 0 || t >= this.textSize) throw new RangeError(`fromText: text token ${t} at position ${i} is outside 0-${this.textSize - 1}`);
      out[i] = t + this.textOffset;
    }
    return out;
  }

  /** Vocabulary ids -> text-tokenizer ids, keeping only text tokens (specials and images dropped). */
  toText(ids: ArrayLike<number>): Int32Array {
    const out: number[] = [];
    for (let i = 0; i < ids.length; i++) if (this.isTextToken(ids[i])) out.push(ids[i] - this.textOffset);
    return Int32Array.from(out);
  }

  /** Image codes -> `<boi>` codes… `<eoi>` as vocabulary ids. */
  encodeImageTokens(codes: ArrayLike<number>): Int32Array {
    const out = new Int32Array(codes.length + 2);
    out[0] = this.boi;
    for (let i = 0; i < codes.length; i++) {
      const c = codes[i];
      if (!Number.isInteger(c) || c < 0 || c >= this.imageSize) throw new RangeError(`encodeImageTokens: code ${c} at position ${i} is outside the codebook (0-${this.imageSize - 1})`);
      out[i + 1] = c + this.imageOffset;
    }
    out[codes.length + 1] = this.eoi;
    return out;
  }

  /**
   * Vocabulary ids of one image (with or without the surrounding `<boi>`/`<eoi>`) -> image codes.
   * Any other token inside is an error naming it.
   */
  decodeImageTokens(ids: ArrayLike<number>): Int32Array {
    let start = 0;
    let end = ids.length;
    if (end > 0 && ids[0] === this.boi) start++;
    if (end > start && ids[end - 1] === this.eoi) end--;
    const out = new Int32Array(end - start);
    for (let i = start; i < end; i++) {
      if (!this.isImageToken(ids[i])) throw new RangeError(`decodeImageTokens: token ${ids[i]} at position ${i} is not an image code (${this.imageOffset}-${this.size - 1})`);
      out[i - start] = ids[i] - this.imageOffset;
    }
    return out;
  }

  /** `<boi>`, `text:17`, `img:300`: a name for any id (the bundle's tokenName shows text too). */
  describe(id: number): string {
    if (!Number.isInteger(id) || id < 0 || id >= this.size) return `<invalid ${id}>`;
    if (this.isSpecial(id)) return this.specials[id];
    if (this.isTextToken(id)) return `text:${id - this.textOffset}`;
    return `img:${id - this.imageOffset}`;
  }

  toJSON(): VocabJson {
    return { size: this.size, specials: this.specials.slice(), text_offset: this.textOffset, text_size: this.textSize, image_offset: this.imageOffset, image_size: this.imageSize };
  }
}
