/**
 * The data gate's message (sft, grpo, eval, export, experiment, baseline stop on a character's data
 * errors): it lists at most GATE_LIST_MAX errors, and when it cuts the list it says how to see all of
 * them (`cmrp data validate <root>`, quoted so it can be pasted as it is).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { gateCharacter, GATE_LIST_MAX } from '../src/data/rolescape/gate';
import type { DataIssue } from '../src/data/rolescape/issues';
import type { Character } from '../src/data/rolescape/types';

const character = (root: string) => ({ id: 'Bo', root, folders: { train: `${root}/train/Bo`, test: null, grpo: null } }) as unknown as Character;
const errors = (n: number): DataIssue[] =>
  Array.from({ length: n }, (_, i) => ({ severity: 'error', file: `train/Bo/${i}.png`, field: '(file)', message: 'not a PNG', code: 'bad-image', character: 'Bo' }));

const stop = (c: Character, issues: DataIssue[]): string => {
  try {
    gateCharacter(c, issues, { warn: () => {} });
  } catch (err) {
    return (err as Error).message;
  }
  return '';
};

test('a cut error list says where the full one is; a short list is whole', () => {
  const long = stop(character('/data/rs'), errors(GATE_LIST_MAX + 5));
  assert.match(long, /^Bo: 25 data error\(s\) in \/data\/rs/);
  assert.equal(long.split('\n').filter((l) => l.includes('not a PNG')).length, GATE_LIST_MAX);
  assert.match(long, /… and 5 more; run `cmrp data validate \/data\/rs` for all 25$/);
  const short = stop(character('/data/rs'), errors(GATE_LIST_MAX));
  assert.equal(short.split('\n').filter((l) => l.includes('not a PNG')).length, GATE_LIST_MAX);
  assert.doesNotMatch(short, /more/);
});

test('the suggested validate command quotes a root with spaces or quotes', () => {
  assert.match(stop(character("/data/Bo's set"), errors(GATE_LIST_MAX + 1)), /run `cmrp data validate '\/data\/Bo'\\''s set'` for all 21$/);
});

test('--allow-invalid prints the same cut list and proceeds', () => {
  const lines: string[] = [];
  gateCharacter(character('/d'), errors(GATE_LIST_MAX + 2), { allowInvalid: true, warn: (l) => lines.push(l) });
  assert.match(lines.join('\n'), /proceeding \(--allow-invalid\)[\s\S]*… and 2 more; run `cmrp data validate \/d` for all 22$/);
});
