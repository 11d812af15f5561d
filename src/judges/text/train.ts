/**
 * Train both text judges on the world corpus, score them on held-out data, and save them.
 *
 *   world characters --seeded split--> training characters (both judges learn from these only)
 *                                      held-out world characters (scored, never trained on)
 *   the 20 evaluation characters      (scored only; the world split excludes them by construction)
 *   real RoleScape characters         (scored only, when a folder is given or ../shared has one)
 *
 * The config is config.ts, the checkpoint folder and `loadTextJudges` load.ts, the scoring and its
 * text form report.ts.
 */
import * as path from 'node:path';
import { loadCorpus, checkWorldCorpus, loadRealCorpus, type CharacterLines } from './corpus';
import { trainStyleJudge } from './style';
import { buildPools, emotionLabelsOf, trainEmotionJudge } from './emotion';
import { resolveConfig } from './config';
import { FORMAT, saveTextJudges, type TextJudges } from './load';
import { scoreTextJudges, type TextJudgesReport } from './report';
import { Rng } from '../../util/rng';
import { splitHeldOutCharacters } from '../../data/held-out';
import { initBackend } from '../../backend/select';

export interface TrainTextJudgesOptions {
  readonly worldDir: string;
  readonly evalDir: string;
  readonly outDir: string;
  readonly seed?: number;
  readonly smoke?: boolean;
  /** Real RoleScape-20 folder to score style on; default ../shared/rolescape20 when present; null: none. */
  readonly realDir?: string | null;
  /** Partial config (unknown keys are an error). */
  readonly config?: unknown;
  /** One line per logging interval (default: none). */
  readonly log?: (line: string) => void;
}

const lastLoss = (l: { losses: Array<{ loss: number }> }): number | null => (l.losses.length ? l.losses[l.losses.length - 1].loss : null);

/** Train, score and save both judges; returns the report (also saved as report.json). */
export async function trainTextJudges(opts: TrainTextJudgesOptions): Promise<TextJudgesReport> {
  const t0 = Date.now();
  await initBackend();
  const seed = opts.seed ?? 0;
  const smoke = Boolean(opts.smoke);
  const config = resolveConfig(opts.config, smoke);
  const [world, evalc, real] = [await loadCorpus(opts.worldDir), await loadCorpus(opts.evalDir), await loadRealCorpus(opts.realDir)];
  checkWorldCorpus(world, evalc);
  // a seeded share of the world held out for scoring, at least 2 on each side
  const { train, heldOut } = splitHeldOutCharacters(world.characters, { fraction: config.held_out_fraction, atLeast: 2, trainAtLeast: 2 }, new Rng(seed).fork('world-split'), 'the world corpus');
  const rng = new Rng(seed);

  const style = trainStyleJudge(
    train.map((c) => ({ id: c.id, lines: [...c.trainLines, ...c.testLines, ...c.testImageLines] })),
    config.style,
    rng.fork('style'),
    opts.log,
  );
  const pools = buildPools(
    train.flatMap((c) => c.imageLines),
    train.flatMap((c) => c.textOnlyLines),
    world.labelSpaces!,
  );
  const emotion = trainEmotionJudge(pools, emotionLabelsOf(world.labelSpaces!), config.emotion, rng.fork('emotion'), opts.log);
  const judges: TextJudges = { style: style.judge, emotion: emotion.judge, config, seed, trainCharacters: train.map((c) => c.id) };

  const scored = scoreTextJudges(judges, { heldOut, evalc, real });
  const report: TextJudgesReport = {
    format: FORMAT,
    seed,
    smoke,
    data: {
      worldDir: path.resolve(opts.worldDir),
      evalDir: path.resolve(opts.evalDir),
      realDir: real ? path.resolve(real.root) : null,
      worldCharacters: world.characters.length,
      trainCharacters: train.length,
      heldOutCharacters: heldOut.length,
      evalCharacters: evalc.characters.length,
      realCharacters: real?.characters.length ?? 0,
    },
    style: { steps: style.log.steps, trainSeconds: style.log.seconds, finalLoss: lastLoss(style.log), ...scored.style },
    emotion: { steps: emotion.log.steps, trainSeconds: emotion.log.seconds, finalLoss: lastLoss(emotion.log), ...scored.emotion },
    seconds: (Date.now() - t0) / 1000,
  };
  await saveTextJudges(opts.outDir, judges, report);
  judges.emotion.dispose();
  return report;
}
