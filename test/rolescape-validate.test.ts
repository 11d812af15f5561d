/**
 * RoleScape-20 loader/validator on the shared release and on a corrupted copy of one
 * character, plus the `cmrp data validate` CLI (exit codes 0/1/2, no stack traces).
 * Skipped when ../shared/rolescape20 is not present.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatIssue, loadCharacter, validateRoleScape, type DataIssue } from '../src/data/rolescape';
import { UserError } from '../src/util/errors';
import { projectRoot } from '../src/util/paths';
import { snapshot } from './synth-helpers';

const ROOT = projectRoot();
const DATA = path.resolve(ROOT, '..', 'shared', 'rolescape20');
const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
const SKIP = 'shared RoleScape-20 data not present';


/** A temp dataset holding only Chandler (train/test/grpo), copied from the release. */
function copyChandler(): string {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rolescape-'));
  fs.cpSync(path.join(DATA, 'train', 'Friends-Chandler'), path.join(tmp, 'train', 'Friends-Chandler'), { recursive: true });
  fs.cpSync(path.join(DATA, 'test', 'Friends-Chandler'), path.join(tmp, 'test', 'Friends-Chandler'), { recursive: true });
  fs.cpSync(path.join(DATA, 'grpo', 'Chandler'), path.join(tmp, 'grpo', 'Chandler'), { recursive: true });
  return tmp;
}

const editJson = (file: string, edit: (v: any) => void) => {
  const v = JSON.parse(fs.readFileSync(file, 'utf8'));
  edit(v);
  fs.writeFileSync(file, JSON.stringify(v, null, 2));
};

const has = (issues: DataIssue[], file: string, field: string | RegExp, code?: string) =>
  issues.some((i) => i.severity === 'error' && i.file === file && (typeof field === 'string' ? i.field === field : field.test(i.field)) && (!code || i.code === code));

test('the shared release validates with no errors, right counts, and is not written to', async (t) => {
  if (!fs.existsSync(DATA)) return t.skip(SKIP);
  const before = snapshot(DATA);
  const started = Date.now();
  const r = await validateRoleScape(DATA);
  assert.ok(Date.now() - started < 15000, 'validation of the full release should take seconds');
  assert.deepEqual(snapshot(DATA), before, 'validation must not write into the data folder');

  assert.equal(r.errorCount, 0, r.issues.filter((i) => i.severity === 'error').map(formatIssue).join('\n'));
  assert.equal(r.rows.length, 14);
  // the release's known, benign quirks are the only warnings
  const codes = new Set(r.issues.map((i) => i.code));
  for (const c of codes) assert.ok(['missing-image-cited', 'answer-not-in-choices', 'yes-no-answer', 'unknown-key'].includes(c), c);
  assert.ok(r.issues.some((i) => i.file === 'train/Genshin-Furina/Furina_knowledge_qa.json' && i.field === 'qa_items[75].reason游戏副本_steps'));

  // Chandler, counted by hand from the files (ls, jq length)
  const ch = r.rows.find((x) => x.character === 'Chandler')!;
  assert.deepEqual(
    { ...ch, warnings: undefined },
    {
      character: 'Chandler',
      trainFolder: 'train/Friends-Chandler',
      imagesTrain: 12,
      imagesTest: 3,
      dialoguesTrain: 12,
      dialoguesTest: 3,
      textDialoguesTrain: 192,
      textDialoguesTest: 20,
      knowledgeQa: 100,
      knowledgeMcq: 10,
      imageMcq: 60,
      vqaPairs: 240,
      testQuestions: 36,
      t2iTrain: 12,
      t2iTest: 3,
      grpoPrompts: 34,
      grpoQuestions: 702,
      errors: 0,
      warnings: undefined,
    },
  );
  const total = (k: keyof (typeof r.rows)[0]) => r.rows.reduce((n, x) => n + (x[k] as number), 0);
  assert.deepEqual(
    [total('imagesTrain'), total('imagesTest'), total('knowledgeQa'), total('vqaPairs'), total('grpoPrompts'), total('grpoQuestions')],
    [144, 47, 1400, 2871, 484, 10813],
  );
});

test('loadCharacter: ids, folder names, and a UserError listing ids for unknown ones', async (t) => {
  if (!fs.existsSync(DATA)) return t.skip(SKIP);
  const { character: c } = await loadCharacter(DATA, 'Miki Nikaidou');
  assert.deepEqual(c.folders, { train: 'train/Mahjong Soul-Miki Nikaidou', test: 'test/Mahjong Soul-Miki Nikaidou', grpo: 'grpo/Miki_Nikaidou' });
  assert.equal((await loadCharacter(DATA, 'Friends-Chandler')).character.id, 'Chandler');
  const furina = (await loadCharacter(DATA, 'Furina')).character;
  assert.ok(furina.profile.full, 'test/Genshin-Furina has no profile, but train has');
  assert.ok(furina.knowledgeQa.find((q) => q.id === 'qa_076')!.reasoningSteps.length > 0, 'garbled key recovered');
  await assert.rejects(loadCharacter(DATA, 'Joey'), (e: unknown) => e instanceof UserError && /available: .*Chandler/.test(e.message));
  assert.ok(JSON.parse(JSON.stringify(c)).id === c.id, 'Character is plain JSON data');
});

test('each kind of corruption is reported with its file and field, in one pass, read-only', async (t) => {
  if (!fs.existsSync(DATA)) return t.skip(SKIP);
  const tmp = copyChandler();
  t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const tr = path.join(tmp, 'train', 'Friends-Chandler');
  const clean = await validateRoleScape(tmp);
  assert.equal(clean.errorCount, 0, clean.issues.map(formatIssue).join('\n'));

  // truncated JSON
  const kq = path.join(tr, 'Chandler_knowledge_qa.json');
  fs.writeFileSync(kq, fs.readFileSync(kq, 'utf8').slice(0, 5000));
  // wrong type, and a missing field
  editJson(path.join(tr, 'annotation.json'), (v) => (v.scenes[3][1].text = 42));
  editJson(path.join(tr, 'Chandler_knowledge_qa_test.json'), (v) => delete v.mcq_items[2].answer_key);
  // referenced image deleted; a PNG overwritten with garbage; a PNG truncated
  fs.rmSync(path.join(tr, '5.png'));
  fs.writeFileSync(path.join(tr, '7.png'), 'garbage, not a png');
  const png8 = fs.readFileSync(path.join(tr, '8.png'));
  fs.writeFileSync(path.join(tr, '8.png'), png8.subarray(0, png8.length >> 1));
  // broken jsonl line, and a wrong type inside a jsonl record
  const vqa = path.join(tmp, 'grpo', 'Chandler', 'Chandler_pure_t2i_with_vqa.jsonl');
  const lines = fs.readFileSync(vqa, 'utf8').split('\n');
  lines[2] = lines[2].slice(0, 60);
  const rec = JSON.parse(lines[4]);
  rec.vqa_questions[2].weight = 'heavy';
  lines[4] = JSON.stringify(rec);
  fs.writeFileSync(vqa, lines.join('\n'));
  // a required file missing
  fs.rmSync(path.join(tr, 'Chandler_memorization_test.json'));

  const before = snapshot(tmp);
  const r = await validateRoleScape(tmp);
  assert.deepEqual(snapshot(tmp), before, 'validation must not write into the data folder');
  const T = 'train/Friends-Chandler';
  const expectations: [string, string | RegExp, string][] = [
    [`${T}/Chandler_knowledge_qa.json`, /^line \d+, column \d+$/, 'invalid-json'],
    [`${T}/annotation.json`, 'scenes[3][1].text', 'schema'],
    [`${T}/Chandler_knowledge_qa_test.json`, 'mcq_items[2].answer_key', 'schema'],
    [`${T}/annotation.json`, 'scenes[5][1].image', 'missing-image'],
    [`${T}/Chandler_with_image.json`, 'scenes[5][1].image', 'missing-image'],
    [`${T}/Chandler_t2i_instruction.json`, 't2i_instructions[5].image_id', 'missing-image'],
    [`${T}/processed/vlm/Chandler_vqa.jsonl`, /^line \d+: image$/, 'missing-image'],
    [`${T}/7.png`, 'signature', 'bad-png'],
    [`${T}/8.png`, 'pixel data', 'bad-png'],
    ['grpo/Chandler/Chandler_pure_t2i_with_vqa.jsonl', 'line 3', 'invalid-json'],
    ['grpo/Chandler/Chandler_pure_t2i_with_vqa.jsonl', 'line 5: vqa_questions[2].weight', 'schema'],
    [`${T}/Chandler_memorization_test.json`, '(file)', 'missing-file'],
  ];
  for (const [file, field, code] of expectations) {
    assert.ok(has(r.issues, file, field, code), `expected ${code} at ${file}: ${field}; got:\n${r.issues.map(formatIssue).join('\n')}`);
  }
  const msg = (file: string, field: string) => r.issues.find((i) => i.file === file && i.field === field)!.message;
  assert.match(msg(`${T}/annotation.json`, 'scenes[3][1].text'), /expected string, found number 42/);
  assert.match(msg(`${T}/Chandler_knowledge_qa_test.json`, 'mcq_items[2].answer_key'), /missing required field/);

  // salvage: the bad scene / mcq item / jsonl line / vqa question is dropped, the rest still loads
  const row = r.rows[0];
  assert.equal(row.dialoguesTrain, 11);
  assert.equal(row.knowledgeMcq, 9);
  assert.equal(row.knowledgeQa, 0);
  assert.equal(row.grpoPrompts, 33); // line 3 is lost; line 5 keeps its prompt minus the bad question
  assert.equal(row.imagesTrain, 9);
});

test('CLI: exit 0 on clean data, 1 listing errors, 2 for a missing dir; never a stack trace', async (t) => {
  if (!fs.existsSync(DATA)) return t.skip(SKIP);
  if (!fs.existsSync(CLI)) return t.skip('CLI not built');
  const tmp = copyChandler();
  t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, 'data', 'validate', ...args], { encoding: 'utf8', timeout: 60000 });
  const noStack = (s: string) => assert.doesNotMatch(s, /\n\s+at .+\(.*:\d+:\d+\)/);

  const ok = run(tmp, '-q');
  assert.equal(ok.status, 0, ok.stderr + ok.stdout);
  assert.match(ok.stdout, /Chandler\s+12\/3\s+12\/3\s+192\/20\s+100/);
  noStack(ok.stderr);

  const json = run(tmp, '--json', '-q');
  assert.equal(json.status, 0);
  assert.equal(JSON.parse(json.stdout).rows[0].vqaPairs, 240);

  editJson(path.join(tmp, 'test', 'Friends-Chandler', 'annotation.json'), (v) => (v.scenes[1][1].image = 1));
  const bad = run(tmp, '-q');
  assert.equal(bad.status, 1, bad.stderr);
  assert.ok(bad.stdout.includes('test/Friends-Chandler/annotation.json: scenes[1][1].image: expected string, found number 1'), bad.stdout);
  noStack(bad.stderr);

  const missing = run(path.join(tmp, 'nope'));
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /^cmrp: no such directory: .*nope$/m);
  assert.equal(missing.stdout, '');
  noStack(missing.stderr);
});
