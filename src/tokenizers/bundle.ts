/**
 * `Tokenizers`: the text tokenizer, the image tokenizer and the vocabulary layout that joins them,
 * speaking in unified-vocabulary ids (what the model reads and writes).
 */
import { ImageLike, ImageTokenizer } from './image';
import { TextTokenizer } from './text';
import { Vocab } from './vocab';

export class Tokenizers {
  readonly vocab: Vocab;

  constructor(
    readonly text: TextTokenizer,
    readonly image: ImageTokenizer,
  ) {
    this.vocab = new Vocab(text.vocabSize, image.codebookSize);
  }

  /** Text -> vocabulary ids (no special tokens added). */
  encodeText(s: string): Int32Array {
    return this.vocab.fromText(this.text.encode(s));
  }

  /** Vocabulary ids -> text; special tokens and image codes are skipped. */
  decodeText(ids: ArrayLike<number>): string {
    return this.text.decode(this.vocab.toText(ids));
  }

  /** An image -> `<boi>` + tokensPerImage code ids + `<eoi>`. */
  encodeImage(image: ImageLike): Int32Array {
    return this.vocab.encodeImageTokens(this.image.encode(image));
  }

  encodeImages(images: readonly ImageLike[]): Int32Array[] {
    return this.image.encodeBatch(images).map((c) => this.vocab.encodeImageTokens(c));
  }

  /** Vocabulary ids of one image (with or without `<boi>`/`<eoi>`) -> RGB bytes, 32x32x3. */
  decodeImage(ids: ArrayLike<number>): Uint8Array {
    return this.image.decode(this.vocab.decodeImageTokens(ids));
  }

  /** Tokens per image in a sequence, markers included. */
  get imageSpan(): number {
    return this.image.tokensPerImage + 2;
  }

  /** A readable name for a vocabulary id: `<boi>`, `"␣hello"`, `img:300`. */
  tokenName(id: number): string {
    if (this.vocab.isTextToken(id)) return JSON.stringify(this.text.tokenText(id - this.vocab.textOffset));
    return this.vocab.describe(id);
  }
}
