/**
 * Policies from disk. A folder is one of:
 *   - a model checkpoint (config.json): the base, or a full finetune (sft, image-only, text-only);
 *   - a LoRA adapter (adapter.json): its base with the adapter attached;
 *   - a policy manifest (policy.json) built from those:
 *       {"format": "cmrp-policy/1", "kind": "prompt-only", "model": "<dir>", "reference_images": 0}
 *     (reference images in context: 0 by default, as the 256-token window cannot hold a synthetic
 *     card (~110 tokens), a reference image (66) and a drawing (66) with its prompt)
 *       {"format": "cmrp-policy/1", "kind": "separate", "text": "<dir>", "image": "<dir>"}
 *     Paths in a manifest are relative to its folder.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { UserError } from '../util/errors';
import { readJsonFile } from '../util/fs';
import type { LoadedCheckpoint } from '../model/checkpoint';
import { loadModelOrAdapter } from '../model/adapter';
import type { Character } from '../data/rolescape/types';
import { characterContext, type Segment } from '../train/tasks';
import { referenceImages } from '../data/shots';
import { POLICY_KINDS, Policy, PolicyKind } from './policy';

export const POLICY_FORMAT = 'cmrp-policy/1';

export const PolicyManifestSchema = z.discriminatedUnion('kind', [
  z.object({ format: z.literal(POLICY_FORMAT), kind: z.literal('prompt-only'), model: z.string(), reference_images: z.number().int().min(0).default(0) }).strict(),
  z.object({ format: z.literal(POLICY_FORMAT), kind: z.literal('separate'), text: z.string(), image: z.string() }).strict(),
]);
export type PolicyManifest = z.infer<typeof PolicyManifestSchema>;

/** The system line a finetuned model was trained with: the character's id alone. */
export const idContext = characterContext;

/** Prompt-only: the character card in the system line, then `k` reference images shown by the user. */
export function cardContext(k: number): (c: Character) => Segment[] {
  return (c) => [
    { role: 'sys', kind: 'text', text: c.description ? `${c.id}. ${c.description}` : c.id, loss: false },
    ...referenceImages(c, k).map((r): Segment => ({ role: 'user', kind: 'image', image: r.path, loss: false })),
  ];
}

/** A checkpoint or an adapter folder. */
export function loadModelDir(dir: string): LoadedCheckpoint {
  return loadModelOrAdapter(dir);
}

function kindOf(meta: Record<string, unknown>): PolicyKind {
  const k = meta.kind === 'sft' && typeof meta.name === 'string' && meta.name !== 'unified-sft' ? meta.name : meta.kind;
  return (POLICY_KINDS as readonly string[]).includes(String(k)) ? (k as PolicyKind) : 'sft';
}

export function readPolicyManifest(dir: string): PolicyManifest {
  const file = path.join(dir, 'policy.json');
  const parsed = PolicyManifestSchema.safeParse(readJsonFile(file));
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new UserError(`${file}: ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  return parsed.data;
}

export async function loadPolicy(dir: string): Promise<Policy> {
  if (fs.existsSync(path.join(dir, 'policy.json'))) {
    const m = readPolicyManifest(dir);
    if (m.kind === 'prompt-only') {
      const ck = loadModelDir(path.resolve(dir, m.model));
      return { name: 'prompt-only', kind: 'prompt-only', tok: ck.tokenizers, textModel: ck.model, imageModel: ck.model, context: cardContext(m.reference_images), sharedContext: true, dispose: () => ck.model.dispose() };
    }
    const text = loadModelDir(path.resolve(dir, m.text));
    const image = loadModelDir(path.resolve(dir, m.image));
    if (JSON.stringify(text.tokenizers.vocab.size) !== JSON.stringify(image.tokenizers.vocab.size)) {
      throw new UserError(`${dir}/policy.json: text and image models have different vocabularies (${text.tokenizers.vocab.size} vs ${image.tokenizers.vocab.size}); both must descend from one base`);
    }
    return {
      name: 'separate', kind: 'separate', tok: text.tokenizers, textModel: text.model, imageModel: image.model, context: idContext, sharedContext: false,
      dispose: () => (text.model.dispose(), image.model.dispose()),
    };
  }
  const ck = loadModelDir(dir);
  const kind = kindOf(ck.meta);
  return {
    name: typeof ck.meta.name === 'string' ? ck.meta.name : kind,
    kind,
    tok: ck.tokenizers,
    textModel: ck.model,
    imageModel: ck.model,
    context: kind === 'base' ? cardContext(0) : idContext,
    sharedContext: true,
    dispose: () => (ck.model.adapters?.dispose(), ck.model.dispose()),
  };
}

/** A policy around a model in memory (e.g. a notebook's SFT run); disposing it leaves the model alone. */
export function modelPolicy(model: Policy['textModel'], tok: Policy['tok'], opts: { name: string; kind?: PolicyKind; context?: Policy['context'] }): Policy {
  return { name: opts.name, kind: opts.kind ?? 'sft', tok, textModel: model, imageModel: model, context: opts.context ?? idContext, sharedContext: true, dispose: () => {} };
}
