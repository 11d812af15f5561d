import { test, before } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { initBackend } from '../src/backend/select';
import { characterSvg, ensureSynthDataset, readSynthIndex, CENTRED, ALIGNED_FIGURE, PlacementJitterSchema, samplePlacement, placementTransform } from '../src/data/synth';
import { renderImage32 } from '../src/judges/core/images';
import { loadTokenizers } from '../src/tokenizers/serialize';
import { loadJudges } from '../src/judges';
import { diversityScale } from '../src/eval/diversity-scale';
import { defaultSynthDir, projectRoot } from '../src/util/paths';
import { Rng } from '../src/util/rng';
import { UserError } from '../src/util/errors';

let synthDir = '';
before(async () => {
  await initBackend();
  synthDir = defaultSynthDir();
  await ensureSynthDataset({ dir: synthDir });
});

test('placement: the centred figure is drawn unwrapped (the world keeps its bytes); a jitter moves, scales and mirrors it', () => {
  const c = readSynthIndex(synthDir).characters[0];
  const label = c.images.grpo[0];
  const plain = characterSvg(c.identity, label, new Rng(3));
  assert.equal(characterSvg(c.identity, label, new Rng(3), CENTRED), plain);
  assert.ok(!plain.includes('translate(-64 -128)'));
  assert.equal(samplePlacement(new Rng(1), PlacementJitterSchema.parse({})), CENTRED, 'a zero jitter draws nothing');
  const p = samplePlacement(new Rng(1), PlacementJitterSchema.parse({ shift_x: 16, scale_min: 0.5, flip: true }));
  assert.ok(Math.abs(p.dx) <= 16 && p.dx !== 0 && p.scale >= 0.5 && p.scale <= 1 && p.dy === 0);
  const moved = characterSvg(c.identity, label, new Rng(3), p);
  assert.ok(moved.includes(`<g transform="${placementTransform(p)}">`));
  assert.equal(placementTransform({ dx: 2, dy: 0, scale: 1, flip: true }), 'translate(66 128) scale(-1 1) translate(-64 -128)');
  assert.throws(() => PlacementJitterSchema.parse({ scale_min: 1.2, scale_max: 1 }), /scale_min must not exceed scale_max/);
});

test('an aligned placement shifts by whole image patches, so the figure keeps its image codes', async (t) => {
  const counts = new Map<number, number>();
  const rng = new Rng(5);
  for (let i = 0; i < 500; i++) {
    const p = samplePlacement(rng, ALIGNED_FIGURE);
    assert.ok(p.dy === 0 && p.scale === 1 && !p.flip);
    counts.set(p.dx, (counts.get(p.dx) ?? 0) + 1);
  }
  assert.deepEqual([...counts.keys()].sort((a, b) => a - b), [-32, -16, 0, 16, 32]);
  for (const n of counts.values()) assert.ok(n > 70 && n < 130, `each of the five shifts about 1/5 of 500 draws: ${[...counts.values()]}`);
  // the committed base's tokenizer (4 px patches of 32; 16 master px = one patch): the figure's
  // codes (columns 2-5), compared with the centred figure's codes one column over
  const tok = loadTokenizers(path.join(projectRoot(), 'checkpoints', 'base'));
  const equalCodes = async (dx: number): Promise<number> => {
    const over = Math.round(dx / 16); // whole columns the figure moved
    let same = 0, n = 0;
    for (const c of readSynthIndex(synthDir).characters.slice(0, 6)) {
      for (const label of c.images.train.slice(0, 2)) {
        const codes = (p: number) => renderImage32(c.identity, label, new Rng(7), { ...CENTRED, dx: p }).then((img) => tok.encodeImage(img));
        const [centred, moved] = await Promise.all([codes(0), codes(dx)]);
        for (let r = 0; r < 8; r++) for (let col = 2; col < 6; col++, n++) if (moved[r * 8 + col + over] === centred[r * 8 + col]) same++;
      }
    }
    return same / n;
  };
  const kept = await Promise.all([4, 8, 16, 32].map(equalCodes)); // 1, 2, 4, 8 px of 32
  t.diagnostic(`figure codes kept for shifts of 1, 2, 4, 8 px: ${kept.map((k) => k.toFixed(3)).join(', ')}`);
  assert.ok(kept[2] > 0.75 && kept[3] > 0.75 && kept[0] < 0.6 && kept[1] < 0.5, `codes kept: ${kept.map((k) => k.toFixed(3))}`);
});

test('diversityScale: moving the figure raises one prompt\'s LPIPS diversity and lowers identity to the references', async () => {
  const judges = loadJudges(path.join(projectRoot(), 'checkpoints', 'judges'));
  const index = readSynthIndex(synthDir);
  const placements = { centred: PlacementJitterSchema.parse({}), shifted: PlacementJitterSchema.parse({ shift_x: 24 }) };
  const rows = await diversityScale({ judges, index, characters: ['Calmaric', 'Alneette'], placements, promptsPerCharacter: 2, samplesPerPrompt: 3, references: 3 });
  assert.deepEqual(rows.map((r) => r.placement), ['centred', 'shifted']);
  const [centred, shifted] = rows;
  assert.equal(centred.diversity.n, 4);
  assert.ok(centred.diversity.mean < 0.2, `centred renders of one prompt differ in background details only: ${centred.diversity.mean}`);
  assert.ok(shifted.diversity.mean > centred.diversity.mean + 0.2, `shifted ${shifted.diversity.mean} vs centred ${centred.diversity.mean}`);
  assert.ok(centred.other_character.mean > centred.diversity.mean + 0.2, 'two characters differ more than one prompt\'s centred renders');
  assert.ok(shifted.identity_dino.mean < centred.identity_dino.mean, 'the identity judge saw centred figures only');
  await assert.rejects(diversityScale({ judges, index, characters: ['Calmaric', 'Nobody'] }), (e: unknown) => e instanceof UserError && /'Nobody' is not in the index/.test(e.message));
  await assert.rejects(diversityScale({ judges, index, characters: ['Calmaric'] }), /at least 2 characters/);
});
