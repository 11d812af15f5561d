/** `cmrp judges report-real`: a real judges folder's report, recomputed from the data; and its text form. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJsonFile } from '../../util/fs';
import { UserError } from '../../util/errors';
import { readJudge } from '../core/checkpoint';
import { IdentityJudge } from '../image/identity';
import { evaluateRealIdentity, formatRealIdentity } from './eval';
import { RealJudgesReport, RealManifest, loadRealData, makeReport } from './common';
import type { JudgesManifest } from '../image/load';

/** Recompute the report of a folder written by `trainRealJudges` (`cmrp judges report-real`). */
export async function reportRealJudges(o: { judgesDir: string; dataDir?: string; log?: (l: string) => void }): Promise<RealJudgesReport> {
  const t0 = performance.now();
  if (!fs.existsSync(o.judgesDir)) throw new UserError(`--judges: ${o.judgesDir}: no such judges folder (train one with \`cmrp judges train-real\`)`);
  const m = readJsonFile<JudgesManifest & { real?: RealManifest }>(path.join(o.judgesDir, 'judges.json'), 'the judges manifest');
  if (!m.real) throw new UserError(`${path.join(o.judgesDir, 'judges.json')}: real: missing (not judges from \`cmrp judges train-real\`)`);
  const baseDir = path.join(m.real.baseJudges.dir, 'identity');
  const sha = readJudge(baseDir, 'identity').file.weights.sha256;
  if (sha !== m.real.baseJudges.identitySha256) throw new UserError(`${baseDir}: not the base identity judge these judges started from (weights sha256 ${sha.slice(0, 12)}…, judges.json records ${m.real.baseJudges.identitySha256.slice(0, 12)}…)`);
  const data = await loadRealData(o.dataDir ?? m.real.dataDir, m.real.config.augment.source_size);
  const ids = data.characters.map((c) => c.id).join(',');
  if (ids !== m.real.characters.map((c) => c.id).join(',')) o.log?.(`judges: warning: ${data.root} holds other characters than the judges were trained on (${ids})`);
  const judge = IdentityJudge.load(path.join(o.judgesDir, m.judges?.identity ?? 'identity'));
  const base = IdentityJudge.load(baseDir);
  try {
    const real = { ...m.real, dataDir: data.root, characters: data.characters.map((c) => ({ id: c.id, trainImages: c.train.length, testImages: c.test.length })) };
    const saved = fs.existsSync(path.join(o.judgesDir, 'report.json')) ? readJsonFile<RealJudgesReport>(path.join(o.judgesDir, 'report.json')).training : null;
    return makeReport(real, evaluateRealIdentity(judge, data), evaluateRealIdentity(base, data), saved, (performance.now() - t0) / 1000);
  } finally {
    judge.dispose();
    base.dispose();
  }
}

export function formatRealJudgesReport(r: RealJudgesReport): string {
  const lines = [
    `real data ${r.data.dir}: ${r.data.characters.length} characters; identity judge trained on ${r.data.trainImages} TRAINING images, scored on ${r.data.testImages} TEST images (never trained on) against each character's training images${r.smoke ? '  [smoke run]' : ''}`,
    `top-1: nearest character by mean cosine to its training images (chance ${(100 * r.chanceTop1).toFixed(1)}%); AUC: same vs different character over all (test, training) pairs`,
    '',
    ...formatRealIdentity([['retrained on real', r.retrained], [`synthetic base (${path.basename(r.baseJudges)})`, r.base]]),
    '',
    'top-1 per character (dino, retrained / base): ' + Object.keys(r.retrained.dino.top1ByCharacter).map((c) => `${c} ${Math.round(100 * r.retrained.dino.top1ByCharacter[c])}/${Math.round(100 * r.base.dino.top1ByCharacter[c])}`).join(', '),
  ];
  const t = r.training as { steps?: number; seconds?: number; init?: string; finalLoss?: number } | null;
  if (t) lines.push(`training: init ${t.init}, ${t.steps} steps in ${t.seconds} s, final loss ${t.finalLoss}`);
  lines.push(`(${r.seconds.toFixed(0)} s)`);
  return lines.join('\n');
}
