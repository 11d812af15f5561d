/**
 * The playground: chat with a customized character turn by turn. Each reply is the text and, when
 * the character answers with a picture (it chooses `<boi>` after its text, or the caller asks for
 * one), the drawn image, with a "why" panel: what the judges read in it (expression and scene from
 * the VQA judge, next to the emotion and place the text judge reads in the reply) and how much it
 * looks like the character (identity similarity to the references).
 *
 * The conversation so far is the prompt (the model trained on whole scenes); when it no longer
 * fits the window, the oldest turns are dropped.
 */
import type { Character } from '../data/rolescape/types';
import type { Judges } from '../judges';
import type { EmotionJudge } from '../judges/text/emotion';
import { generateReplies } from '../model/generate';
import { encodeExample } from '../train/encode';
import type { Segment } from '../train/tasks';
import { Rng } from '../util/rng';
import { readBothSides } from '../metrics/consistency';
import { PolicySession, userText } from './suite/session';
import type { Policy } from './policy';

export interface PlaygroundReading {
  text: { expression: string; scene: string }; // what the reply says (text emotion judge; 'none' when it says nothing)
  image: { expression: string; scene: string }; // what the picture shows (VQA judge)
  identity: number; // max identity (dino) similarity of the picture to the references
}

export interface PlaygroundTurn {
  user: string;
  reply: string;
  /** The drawn picture (32x32 RGB), or null for a text-only reply. */
  image: Uint8Array | null;
  /** True when the model chose to draw; false when the picture was asked for after its text. */
  drewItself: boolean;
  reading: PlaygroundReading | null;
}

export class Playground {
  readonly turns: PlaygroundTurn[] = [];
  private readonly session: PolicySession;
  private readonly rng: Rng;

  constructor(
    readonly policy: Policy,
    readonly character: Character,
    private readonly judges: Judges,
    private readonly emotion: EmotionJudge,
    private readonly references: readonly Uint8Array[],
    private readonly opts: { temperature?: number; seed?: number; maxTextTokens?: number } = {},
  ) {
    this.session = new PolicySession(policy, character);
    this.rng = new Rng(opts.seed ?? 0);
  }

  /** The character's reply to `line`; `picture: 'always'` draws one after the text when the model did not. */
  async say(line: string, picture: 'auto' | 'always' | 'never' = 'auto'): Promise<PlaygroundTurn> {
    const { tok, textModel } = this.policy;
    const span = tok.image.tokensPerImage + 2;
    const maxText = this.opts.maxTextTokens ?? 60;
    const prompt = await this.prompt(line, maxText + span + 1);
    const sample = { rng: this.rng, temperature: this.opts.temperature ?? 0.7 };
    const [r] = generateReplies(textModel, tok, prompt, 1, { ...sample, maxTextTokens: maxText, allowImage: picture !== 'never' && this.policy.sharedContext });
    const drewItself = r.imageCodes !== null;
    // separate models: the text model never draws, so their picture is always drawn for the reply
    const wanted = drewItself || picture === 'always' || (picture === 'auto' && !this.policy.sharedContext);
    const image = wanted ? await this.session.pictureFor({ ...r, prompt }, sample) : null;
    const turn: PlaygroundTurn = { user: line, reply: r.text, image, drewItself, reading: image ? this.read(image, r.text) : null };
    this.turns.push(turn);
    return turn;
  }

  reset(): void {
    this.turns.length = 0;
  }

  private read(image: Uint8Array, reply: string): PlaygroundReading {
    const [both] = readBothSides(this.judges, this.emotion, [image], [reply]);
    const identity = Math.max(...this.references.map((ref) => this.judges.identity.similarity(image, ref, 'dino')));
    return { ...both, identity };
  }

  /**
   * Context + the conversation so far (oldest turns dropped to fit) + the new line, ending in
   * `<char>`; a line too long even alone is cut as the evaluation suite cuts prompts (keeping the context).
   */
  private async prompt(line: string, reserve: number): Promise<Int32Array> {
    const limit = this.policy.textModel.config.block_size - reserve;
    for (let from = 0; from < this.turns.length; from++) {
      const history = this.turns.slice(from).flatMap((t): Segment[] => [userText(t.user), { role: 'char', kind: 'text', text: t.reply, loss: false }]);
      // (encodePrompt refuses character segments: the history's replies are encoded as a training scene)
      const enc = await encodeExample({ task: 'roleplay', character: this.character.id, segments: [...this.session.context, ...history, userText(line)] }, this.policy.tok, this.session.cache);
      if (enc.ids.length + 1 <= limit) return Int32Array.from([...enc.ids, this.policy.tok.vocab.char]);
    }
    return this.session.prompt([userText(line)], reserve);
  }
}
