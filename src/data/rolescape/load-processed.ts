/**
 * processed/t2i/*.jsonl and processed/vlm/*.jsonl: the training files the official code
 * consumes, derived from the JSON files. Each line is validated; their image paths
 * ("personalized_data/<split>/<Folder>/<id>.png", relative to the official repo's data dir,
 * i.e. to our dataset root; train/Bo/processed/t2i/Bo_t2i_full.jsonl writes them relative to
 * the repo root instead, "data/personalized_data/…") must point at a valid PNG of the release.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { IssueCollector } from './issues';
import { parseWith } from './parse';
import { readJsonl } from './read';
import { T2iRecordSchema, VlmRecordSchema, type VlmRecord } from './schemas';
import type { ProcessedFile, Split, VqaPair } from './types';

const REF_PREFIX = /^(data\/)?personalized_data\//;
/** Blank image the official mixtures attach to text-only samples; not shipped with the data. */
const PLACEHOLDER = /^(data\/)?personalized_data\/black_512x512\.png$/;

/** Absolute path of an image reference, or null when it is not of the personalized_data/ form. */
function resolveRef(root: string, ref: string): string | null {
  const m = REF_PREFIX.exec(ref);
  return m ? path.join(root, ref.slice(m[0].length)) : null;
}

export interface ProcessedPart {
  files: ProcessedFile[];
  /** Pairs read from processed/vlm/<P>_vqa.jsonl (null when the file is absent or unusable). */
  vqa: VqaPair[] | null;
}

/** Report image references that do not resolve to a valid PNG: one error per file and path. */
function checkRefs(file: string, refs: { line: number; image: string }[], root: string, validPngs: Set<string>, issues: IssueCollector): void {
  const bad = new Map<string, number[]>();
  for (const r of refs) {
    if (PLACEHOLDER.test(r.image)) continue;
    const abs = resolveRef(root, r.image);
    if (abs !== null && validPngs.has(abs)) continue;
    bad.set(r.image, [...(bad.get(r.image) ?? []), r.line]);
  }
  for (const [image, lines] of bad) {
    const abs = resolveRef(root, image);
    const why = abs === null
      ? 'expected a path of the form "personalized_data/<split>/<Folder>/<id>.png"'
      : fs.existsSync(abs)
        ? 'the PNG is not valid (see its own error)'
        : 'no such PNG in the dataset';
    const more = lines.length > 1 ? ` (${lines.length} lines: ${lines.slice(0, 5).join(', ')}${lines.length > 5 ? ', …' : ''})` : '';
    issues.error(file, `line ${lines[0]}: image`, 'missing-image', `references "${image}": ${why}${more}`);
  }
}

function vqaFromRecords(records: VlmRecord[], split: Split, root: string, validPngs: Set<string>): VqaPair[] {
  return records.map((r) => {
    const [scene] = r.id.split('_');
    const imageId = path.basename(r.image ?? '', '.png');
    const imagePath = r.image === undefined ? null : resolveRef(root, r.image);
    return {
      id: r.id,
      split,
      sceneIndex: Number(scene),
      imageId,
      imagePath: imagePath && validPngs.has(imagePath) ? imagePath : null,
      question: (r.conversations.find((c) => c.from === 'human')?.value ?? '').replace(/^<image>\s*/, ''),
      answer: r.conversations.find((c) => c.from === 'gpt')?.value ?? '',
      type: r.qa_type ?? 'objective',
      source: 'processed_vqa' as const,
    };
  });
}

export function loadProcessed(dir: string, split: Split, prefix: string, root: string, validPngs: Set<string>, issues: IssueCollector): ProcessedPart {
  const out: ProcessedPart = { files: [], vqa: null };
  for (const kind of ['t2i', 'vlm'] as const) {
    const sub = path.join(dir, 'processed', kind);
    if (!fs.existsSync(sub)) continue;
    const schema = kind === 't2i' ? T2iRecordSchema : VlmRecordSchema;
    for (const name of fs.readdirSync(sub).filter((n) => n.endsWith('.jsonl')).sort()) {
      const file = path.join(sub, name);
      const lines = readJsonl(file, issues, { required: true });
      if (lines === null) continue;
      const records: { line: number; rec: { image?: string } }[] = [];
      for (const l of lines) {
        const p = parseWith(schema, l.raw, file, issues, `line ${l.line}`);
        if (p) records.push({ line: l.line, rec: p.data });
      }
      const refs = records.filter((r) => r.rec.image !== undefined).map((r) => ({ line: r.line, image: r.rec.image! }));
      checkRefs(file, refs, root, validPngs, issues);
      out.files.push({ file: issues.rel(file), kind, records: records.length });
      if (kind === 'vlm' && name === `${prefix}_vqa.jsonl`) out.vqa = vqaFromRecords(records.map((r) => r.rec as VlmRecord), split, root, validPngs);
    }
  }
  return out;
}
