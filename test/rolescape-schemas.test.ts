/**
 * RoleScape-20 schemas: the known quirks are tolerated, real errors are caught with a path,
 * and every real file of the shared release parses (skipped when the data is not present).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { z } from 'zod';
import {
  AnnotationFileSchema,
  DialogueExtensionFileSchema,
  GrpoPromptRecordSchema,
  GrpoVqaRecordSchema,
  IssueCollector,
  KnowledgeMcqFileSchema,
  KnowledgeQaFileSchema,
  KnowledgeQaItemSchema,
  McqItemSchema,
  T2iInstructionFileSchema,
  T2iRecordSchema,
  TestQuestionsFileSchema,
  VlmRecordSchema,
  WithImageFileSchema,
  checkPngHeader,
  formatPath,
} from '../src/data/rolescape';
import { unknownKeys } from '../src/data/rolescape/unknown-keys';
import { parseJsonText } from '../src/data/rolescape/read';
import { projectRoot } from '../src/util/paths';

const DATA = path.resolve(projectRoot(), '..', 'shared', 'rolescape20');

const mcq = {
  id: 'q5',
  question: 'How many objects?',
  options: { A: 1, B: 2, C: '3', D: 4 },
  answer_key: 'C',
  difficulty: 'hard',
  rationale: 'count them',
};

test('MCQ options may be numbers (real quirk) and are read as strings', () => {
  const r = McqItemSchema.parse(mcq);
  assert.deepEqual(r.options, { A: '1', B: '2', C: '3', D: '4' });
});

test('knowledge QA: evidence string|list, garbled reasoning key recovered and reported', () => {
  const raw = {
    id: 'qa_076',
    question: 'Full name?',
    answer: 'Furina de Fontaine',
    evidence: 'Full Name: Furina de Fontaine',
    type: 'fact',
    difficulty: 'easy',
    'reason游戏副本_steps': ['stated in the profile'],
    confidence: 1.0,
  };
  const r = KnowledgeQaItemSchema.parse(raw);
  assert.deepEqual(r.evidence, ['Full Name: Furina de Fontaine']);
  assert.deepEqual(r.reasoning_steps, ['stated in the profile']);
  const u = unknownKeys(KnowledgeQaFileSchema, { description: '', opening: '', qa_items: [raw] });
  assert.equal(u.length, 1);
  assert.equal(formatPath([...u[0].path, u[0].key]), 'qa_items[0].reason游戏副本_steps');
  assert.equal(u[0].lookalike, 'reasoning_steps');
  // a list of quotes stays a list; reasoning_steps absent altogether defaults to []
  const { ['reason游戏副本_steps']: _drop, ...noSteps } = raw;
  const r2 = KnowledgeQaItemSchema.parse({ ...noSteps, evidence: ['a', 'b'] });
  assert.deepEqual(r2.evidence, ['a', 'b']);
  assert.deepEqual(r2.reasoning_steps, []);
});

test('wrong types, missing fields and bad enum values are errors with a JSON path', () => {
  const raw = {
    description: 'd',
    opening: '',
    scenes: [[{ role: 'user', text: 'hi' }, { role: 'machine', text: 42, image: '0' }], [{ role: 'robot', text: 'x' }], [{ text: 'no role' }]],
  };
  const res = AnnotationFileSchema.safeParse(raw);
  assert.equal(res.success, false);
  const issues = new IssueCollector('/data');
  issues.fromZod('/data/train/X/annotation.json', res.error!, raw);
  const lines = issues.issues.map((i) => `${i.file}: ${i.field}: ${i.message}`);
  assert.deepEqual(lines, [
    'train/X/annotation.json: scenes[0][1].text: expected string, found number 42',
    'train/X/annotation.json: scenes[1][0].role: expected one of "user", "machine", found string "robot"',
    "train/X/annotation.json: scenes[2][0].role: missing required field (expected 'user' | 'machine')",
  ]);
  // unions name every accepted type
  const v = VlmRecordSchema.safeParse({ id: true, conversations: [{ from: 'human', value: 'q' }] });
  const c2 = new IssueCollector('/d');
  c2.fromZod('/d/f.jsonl', v.error!, { id: true }, 'line 7');
  assert.equal(c2.issues[0].field, 'line 7: id');
  assert.match(c2.issues[0].message, /expected string or number, found boolean true/);
});

test('GRPO questions: weight must be a number >= 0; open_ended is a valid type', () => {
  const rec = {
    text: 't',
    character: 'Bo',
    scene_id: '0',
    reference_images_path: 'dataset/personalized_t2i/Bo',
    vqa_questions: [
      { question: 'q', type: 'open_ended', category: 'scene', answer: 'a', weight: 0.5, is_negative: false },
      { question: 'q', type: 'yes_no', category: 'scene', answer: 'yes', weight: -1, is_negative: false },
    ],
  };
  const r = GrpoVqaRecordSchema.safeParse(rec);
  assert.equal(r.success, false);
  assert.deepEqual(r.error!.issues.map((i) => formatPath(i.path)), ['vqa_questions[1].weight']);
});

test('JSON syntax errors are located; truncation is named', () => {
  const t = parseJsonText('{\n  "a": [1, 2,\n');
  assert.equal(t.ok, false);
  if (!t.ok) {
    assert.match(t.field, /^line \d+, column \d+$/);
    assert.match(t.message, /truncated/);
  }
  const b = parseJsonText('{\n  "a": 1 "b": 2\n}');
  assert.equal(b.ok, false);
  if (!b.ok) assert.equal(b.field, 'line 2, column 10');
});

test('PNG header check: signature and dimensions', () => {
  const bad = checkPngHeader(Buffer.from('garbage garbage garbage garbage!!'));
  assert.equal(bad.ok, false);
  if (!bad.ok) assert.equal(bad.field, 'signature');
  const ihdr = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(ihdr, 0);
  ihdr.writeUInt32BE(13, 8);
  ihdr.write('IHDR', 12, 'latin1');
  ihdr.writeUInt32BE(7, 16);
  ihdr.writeUInt32BE(5, 20);
  assert.deepEqual(checkPngHeader(ihdr), { ok: true, width: 7, height: 5 });
});

/** [folder kind, file-name test, schema, jsonl?] for every file type of the release. */
const KINDS: [string, string, RegExp, z.ZodTypeAny, boolean][] = [
  ['train', 'annotation', /^annotation\.json$/, AnnotationFileSchema, false],
  ['test', 'annotation', /^annotation\.json$/, AnnotationFileSchema, false],
  ['train', 'with_image', /_with_image\.json$/, WithImageFileSchema, false],
  ['test', 'with_image', /_with_image\.json$/, WithImageFileSchema, false],
  ['train', 't2i_instruction', /_t2i_instruction\.json$/, T2iInstructionFileSchema, false],
  ['test', 't2i_instruction', /_t2i_instruction\.json$/, T2iInstructionFileSchema, false],
  ['train', 'dialogue extension', /_dialogue_text_extension_(train|test)\.json$/, DialogueExtensionFileSchema, false],
  ['train', 'knowledge_qa', /_knowledge_qa\.json$/, KnowledgeQaFileSchema, false],
  ['train', 'knowledge_qa_test', /_knowledge_qa_test\.json$/, KnowledgeMcqFileSchema, false],
  ['train', 'memorization/personality', /_(memorization|personality)_test\.json$/, TestQuestionsFileSchema, false],
  ['train', 'processed t2i', /^processed\/t2i\/.*\.jsonl$/, T2iRecordSchema, true],
  ['test', 'processed t2i', /^processed\/t2i\/.*\.jsonl$/, T2iRecordSchema, true],
  ['train', 'processed vlm', /^processed\/vlm\/.*\.jsonl$/, VlmRecordSchema, true],
  ['grpo', 'pure_t2i', /_pure_t2i\.jsonl$/, GrpoPromptRecordSchema, true],
  ['grpo', 'pure_t2i_with_vqa', /_pure_t2i_with_vqa\.jsonl$/, GrpoVqaRecordSchema, true],
];

function filesUnder(dir: string, rel = ''): string[] {
  return fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const r = rel ? `${rel}/${e.name}` : e.name;
    return e.isDirectory() ? filesUnder(dir, r) : [r];
  });
}

test('every real RoleScape-20 file parses with its schema', (t) => {
  if (!fs.existsSync(DATA)) return t.skip('shared RoleScape-20 data not present');
  for (const [split, name, re, schema, jsonl] of KINDS) {
    let files = 0;
    let records = 0;
    for (const folder of fs.readdirSync(path.join(DATA, split))) {
      const dir = path.join(DATA, split, folder);
      for (const rel of filesUnder(dir).filter((r) => re.test(r))) {
        files++;
        const text = fs.readFileSync(path.join(dir, rel), 'utf8');
        const values = jsonl ? text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l)) : [JSON.parse(text)];
        for (const v of values) {
          const r = schema.safeParse(v);
          assert.ok(r.success, `${split}/${folder}/${rel}: ${r.success ? '' : JSON.stringify(r.error.issues[0])}`);
          records++;
        }
      }
    }
    assert.ok(files >= 14, `${split} ${name}: expected a file per character, found ${files}`);
    assert.ok(records > 0, `${split} ${name}: no records`);
  }
});
