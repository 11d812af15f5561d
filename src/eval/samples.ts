/**
 * Samples from a unified model for people to look at: a chat with drawn replies, and drawings for
 * text-to-image prompts. Same seed, same samples.
 */
import type { Transformer } from '../model/transformer';
import type { Tokenizers } from '../tokenizers/bundle';
import { generateReplies, generateImages, SampleOptions } from '../model/generate';
import { encodePrompt, ImageCodeCache } from '../train/encode';
import { modelImageToPng } from '../tokenizers/image-io';

/** One turn of a chat as people look at it (viz/dialogue.ts draws it). */
export interface ChatTurn {
  /** 'machine' turns are the character's. */
  role: 'user' | 'machine';
  text: string;
  /** The turn's picture as PNG bytes, if any. */
  png?: Uint8Array | null;
  /** A note shown in red (e.g. a cited image that does not exist). */
  warning?: string;
}

export interface Persona {
  id: string;
  /** The character card; put in the system prompt when `card` is true. */
  description?: string;
}

function sysText(p: Persona, card: boolean): string {
  return card && p.description ? `${p.id}. ${p.description}` : p.id;
}

/** One reply per user line (each a fresh single-exchange scene, as in training). */
export async function chatSample(
  model: Transformer,
  tok: Tokenizers,
  persona: Persona,
  userLines: readonly string[],
  opts: SampleOptions & { card?: boolean; maxTextTokens?: number },
): Promise<ChatTurn[]> {
  const cache = new ImageCodeCache(tok);
  const turns: ChatTurn[] = [];
  for (const line of userLines) {
    const prompt = await encodePrompt(
      [
        { role: 'sys', kind: 'text', text: sysText(persona, opts.card ?? false), loss: false },
        { role: 'user', kind: 'text', text: line, loss: false },
      ],
      tok,
      cache,
    );
    const [reply] = generateReplies(model, tok, prompt, 1, { ...opts, maxTextTokens: opts.maxTextTokens ?? 60 });
    turns.push({ role: 'user', text: line });
    turns.push({ role: 'machine', text: reply.text, png: reply.imageCodes ? await modelImageToPng(tok.image.decode(reply.imageCodes)) : null });
  }
  return turns;
}

/** `n` drawings (32x32 RGB) for a text-to-image instruction. */
export async function drawPrompt(
  model: Transformer,
  tok: Tokenizers,
  persona: Persona,
  instruction: string,
  n: number,
  opts: SampleOptions & { card?: boolean },
): Promise<Uint8Array[]> {
  const prompt = await encodePrompt(
    [
      { role: 'sys', kind: 'text', text: sysText(persona, opts.card ?? false), loss: false },
      { role: 'user', kind: 'text', text: instruction, loss: false },
    ],
    tok,
    new ImageCodeCache(tok),
  );
  return generateImages(model, tok, prompt, n, opts).map((codes) => tok.image.decode(codes));
}
