/**
 * `evaluatePolicy`: the CMRP evaluation suite for one policy on one character. Each metric family
 * gathers (runs the policy), judges (runs the stand-in judges) and scores (pure functions in its
 * file); this file only sequences them, times them and assembles the report. The models belong to
 * the caller; the judges are loaded here and released before returning.
 */
import type { Character } from '../../data/rolescape/types';
import { loadRoleScape } from '../../data/rolescape';
import { loadJudges, type Judges } from '../../judges';
import { heldOutJudgesFor } from '../../judges/heldout';
import { loadTextJudges } from '../../judges/text';
import { Rng } from '../../util/rng';
import { meanOrNull } from '../../util/stats';
import type { Policy } from '../policy';
import { EvalConfig, EvalConfigInput, evalIdentity, parseEvalConfig } from './config';
import { evaluationItems } from './items';
import { blankImagePath } from './blank-image';
import { readImages32 } from '../../tokenizers/image-io';
import { referenceImages } from '../../data/shots';
import { PolicySession, sampling } from './session';
import { synthTruth, noTruthReason } from '../../data/synth/truth';
import { gatherMcq, gatherMemorization, memorizationRecords, scoreMcq, scoreMemorization } from './knowledge';
import { gatherStyleReplies } from './style';
import { attributeReplies, characterLines, profileFactsOf, rateRatio, scorePersonaConsistency, scoreStyleAttribution, styleCandidates, styleJudgeFor, voiceRates } from '../../metrics/style';
import { gatherVqa, scoreVqa, scoreVqaSplit, vqaRecords } from './vqa';
import { gatherT2i, startT2iThreads, judgeT2i, scoreT2i, t2iMetrics, scoreMemorizedRate, type IdentityCandidates } from './t2i';
import { nearestTrainingDistances } from '../../metrics/similarity';
import { TRUTH_T2I_KEYS, truthDrawings } from './truth-drawings';
import { nearestCounts } from './identity-rank';
import { gatherMmrp, judgeMmrp, mmrpMetrics } from './mmrp';
import { EVAL_REPORT_FORMAT, EvalReport, NearestCharacterCounts, EXTRA_METRIC_KEYS, HELDOUT_METRIC_KEYS, IMAGE_METRIC_KEYS, METRIC_KEYS, Metrics, heldOutKey } from './report';

export interface EvaluateOptions {
  /** The reward judges (GRPO's): the plain image metric names. */
  judgesDir: string;
  /**
   * The held-out judges (evaluation only, judges/heldout.ts): every image metric again as
   * `<name>_heldout`. A folder, or a folder of per-character folders (leave-the-character-out real
   * judges). Null or absent: those metrics are null.
   */
  heldOutJudgesDir?: string | null;
  textJudgesDir: string;
  /** A resolved config or a partial one (defaults fill the rest). */
  config?: EvalConfig | EvalConfigInput;
  /** K reference images (default: config.shots). */
  shots?: number;
  /** The dataset's characters: the style judge's candidates (default: every character at c.root). */
  characters?: readonly Character[];
  log?: (line: string) => void;
}

const mean = (xs: readonly number[]): number => meanOrNull(xs) ?? 0;
const round = (x: number): number => Math.round(x * 1000) / 1000;

export async function evaluatePolicy(policy: Policy, c: Character, opts: EvaluateOptions): Promise<EvalReport> {
  const t0 = performance.now();
  const log = opts.log ?? (() => {});
  const config = parseEvalConfig(opts.config ?? {});
  const shots = opts.shots ?? config.shots;
  const truth = synthTruth(c);
  const items = evaluationItems(c, config, truth);
  const session = new PolicySession(policy, c);
  const rng = (family: string) => new Rng(config.seed).fork(family); // one stream per family: families do not shift each other
  const replyOpts = (family: string) => ({ ...sampling(rng(family), config.temperature, config.top_k), maxTextTokens: config.max_reply_tokens, allowImage: false });
  const metrics = Object.fromEntries([...METRIC_KEYS, ...EXTRA_METRIC_KEYS, ...HELDOUT_METRIC_KEYS].map((k) => [k, null])) as Metrics;
  const unavailable: Record<string, string> = {};
  const counts: Record<string, number> = {};
  const details: Record<string, unknown[]> = {};
  const timings: Record<string, number> = {};
  const timed = async <T>(family: string, f: () => Promise<T>): Promise<T> => {
    const s = performance.now();
    const out = await f();
    timings[family] = round((performance.now() - s) / 1000);
    log(`eval: ${family} ${timings[family].toFixed(1)} s`);
    return out;
  };

  const allCharacters = opts.characters ?? (await loadRoleScape(c.root)).characters;
  const candidates = styleCandidates(allCharacters);
  if (!candidates.some((x) => x.id === c.id)) throw new Error(`evaluatePolicy: ${c.id} is not among the style candidates (pass opts.characters including it)`);
  const refs = await readImages32(referenceImages(c, shots));
  const candidateRefs = new Map<string, Uint8Array[]>([[c.id, refs]]); // t2i_identity_top1: every character's K references
  for (const x of allCharacters) if (x.id !== c.id && x.images.train.length) candidateRefs.set(x.id, await readImages32(referenceImages(x, shots)));
  const identityCandidates: IdentityCandidates = { own: c.id, references: candidateRefs };
  const trainPixels = await readImages32(c.images.train);
  const training = [...trainPixels, ...trainPixels.map((p) => policy.tok.image.reconstruct(p))];
  const heldDir = opts.heldOutJudgesDir ? heldOutJudgesFor(opts.heldOutJudgesDir, c.id) : null;
  const judges = loadJudges(opts.judgesDir);
  let held: Judges | null = null;
  try {
    held = heldDir ? loadJudges(heldDir) : null;
  } catch (err) {
    judges.dispose();
    throw err;
  }
  /** Copy image metrics (and their reasons) of the held-out judges under `<key>_heldout`. */
  const putHeldOut = (m: Record<string, number | null>, why: Record<string, string>) => {
    for (const k of IMAGE_METRIC_KEYS) if (k in m) (metrics as Record<string, number | null>)[heldOutKey(k)] = m[k];
    for (const k of IMAGE_METRIC_KEYS) if (why[k]) unavailable[heldOutKey(k)] = why[k];
  };
  const text = await loadTextJudges(opts.textJudgesDir);
  let threads: ReturnType<typeof startT2iThreads> = null;
  try {
    threads = items.t2i.length > 1 ? startT2iThreads(policy, config.workers ?? 0) : null;
    if (threads) log(`eval: t2i draws on ${threads.count} threads`);

    // --- knowledge: MCQ by option likelihood, memorization by fact recall ---
    const memAnswers = await timed('knowledge', async () => {
      const mcq = await gatherMcq(session, items.mcq);
      const mcqSeen = await gatherMcq(session, items.mcqSeen);
      metrics.knowledge_mcq_acc = scoreMcq(mcq);
      metrics.knowledge_mcq_acc_all = scoreMcq([...mcq, ...mcqSeen]);
      counts.mcq = mcq.length;
      counts.mcq_seen_question = mcqSeen.length;
      details.mcq = [...mcq.map((r) => ({ ...r, seenQuestion: false })), ...mcqSeen.map((r) => ({ ...r, seenQuestion: true }))];
      if (!mcq.length && mcqSeen.length) unavailable.knowledge_mcq_acc = `all ${mcqSeen.length} MCQ questions are verbatim training questions (see knowledge_mcq_acc_all)`;
      if (!truth) return [];
      const answers = await gatherMemorization(session, items.memorization, config.max_answer_tokens);
      const records = memorizationRecords(answers, truth, c.dialogues.train);
      metrics.memorization = scoreMemorization(records);
      counts.memorization = records.filter((r) => r.facts !== null).length;
      details.memorization = records;
      if (metrics.memorization === null) unavailable.memorization = `none of ${records.length} memorization questions matched a known template`;
      return answers.map((a) => a.answer);
    });
    if (!truth) unavailable.memorization = noTruthReason(c);

    // --- style: attribution, catchphrase and tic rates, persona consistency ---
    const replies = await timed('style', async () => {
      const rs = await gatherStyleReplies(session, items.dialogues, items.personality, replyOpts('style'));
      const judge = styleJudgeFor(text.style, truth);
      const attributed = attributeReplies(judge, rs.map((r) => r.reply), candidates);
      metrics.style_attribution = scoreStyleAttribution(attributed, c.id);
      counts.style_replies = rs.length;
      counts.style_candidates = candidates.length;
      details.style = rs.map((r, i) => ({ ...r, attributedTo: attributed[i] }));
      return rs.map((r) => r.reply);
    });
    if (truth) {
      const own = [...characterLines(c.dialogues.test), ...characterLines(c.textDialogues.test)];
      const gen = voiceRates(replies, truth), ref = voiceRates(own, truth);
      metrics.catchphrase_rate_ratio = replies.length ? rateRatio(gen.catchphrase, ref.catchphrase) : null;
      metrics.tic_rate_ratio = replies.length ? rateRatio(gen.tic, ref.tic) : null;
      if (replies.length && ref.catchphrase === 0) unavailable.catchphrase_rate_ratio = `the catchphrase never occurs in ${c.id}'s own ${own.length} test replies`;
      if (replies.length && ref.tic === 0) unavailable.tic_rate_ratio = `the tic never occurs in ${c.id}'s own ${own.length} test replies`;
      metrics.persona_consistency = scorePersonaConsistency([...replies, ...memAnswers], profileFactsOf(truth));
      counts.persona_replies = replies.length + memAnswers.length;
    } else {
      for (const k of ['catchphrase_rate_ratio', 'tic_rate_ratio', 'persona_consistency']) unavailable[k] = noTruthReason(c);
    }

    // --- VQA on the test images, and with a blank image instead (what the image adds) ---
    await timed('vqa', async () => {
      const seen = await gatherVqa(session, items.vqa, config.max_answer_tokens);
      const blank = await blankImagePath();
      const blind = await gatherVqa(session, items.vqa, config.max_answer_tokens, () => blank);
      const records = vqaRecords(seen, blind);
      const s = scoreVqa(records);
      metrics.vqa_acc = s.acc;
      metrics.vqa_f1 = s.f1;
      Object.assign(metrics, scoreVqaSplit(records));
      counts.vqa = records.length;
      counts.vqa_image_dependent = records.filter((r) => r.imageDependent).length;
      counts.vqa_constant = records.length - counts.vqa_image_dependent;
      details.vqa = records;
      const none = `no held-out VQA pairs: the data has no test-split VQA${truth ? '' : ', and without ground-truth labels none can be built'}`;
      if (!records.length) for (const k of ['vqa_acc', 'vqa_f1', 'vqa_acc_blind', 'vqa_acc_image_dependent', 'vqa_acc_constant', 'vqa_acc_blind_image_dependent']) unavailable[k] = none;
      else {
        if (!counts.vqa_image_dependent) unavailable.vqa_acc_image_dependent = unavailable.vqa_acc_blind_image_dependent = `all ${records.length} held-out VQA items have one answer whatever the image`;
        if (!counts.vqa_constant) unavailable.vqa_acc_constant = `all ${records.length} held-out VQA items are image-dependent`;
      }
    });

    // --- text-to-image on the held-out GRPO prompts, scored by each judge set ---
    await timed('t2i', async () => {
      const groups = await gatherT2i(session, items.t2i, config.samples_per_prompt, sampling(rng('t2i'), config.draw_temperature, config.top_k), threads);
      const records = judgeT2i(judges, groups, refs, training, identityCandidates);
      const r = t2iMetrics(records, items.t2i, judges.clip.tokenizer.vocab, config.copy_threshold);
      Object.assign(metrics, r.metrics);
      Object.assign(unavailable, r.unavailable);
      counts.t2i_prompts = records.length;
      counts.t2i_drawings = records.reduce((a, x) => a + x.nearest.length, 0);
      counts.references = refs.length;
      const detail = (rs: typeof records, nearestTruth?: number[][]) => rs.map((x, i) => ({
        sceneId: x.sceneId, prompt: x.prompt,
        dino: x.dino.map(mean), clipI: x.clipI.map(mean), clipT: x.clipT, vqa: x.vqa, diversity: x.pairwise.length ? mean(x.pairwise) : null, nearest: x.nearest, nearestCharacter: x.nearestCharacter,
        ...(nearestTruth ? { nearestTruth: nearestTruth[i] } : {}),
      }));
      let nearestTruth: number[][] | undefined; // per drawing: LPIPS to the nearest renderer drawing of its prompt
      const nearestSummary: NearestCharacterCounts[] = [{ of: 'policy', judges: 'reward', counts: nearestCounts(records.flatMap((x) => x.nearestCharacter)) }];
      // the same prompts drawn by the renderer itself: each t2i metric's value for the data distribution
      if (truth && records.length) {
        const truthGroups = await truthDrawings(truth, items.t2i, config.samples_per_prompt, config.seed, (px) => policy.tok.image.reconstruct(px));
        const truthRecords = judgeT2i(judges, truthGroups, refs, training, identityCandidates);
        const tr = scoreT2i(truthRecords, config.copy_threshold);
        nearestSummary.push({ of: 'renderer', judges: 'reward', counts: nearestCounts(truthRecords.flatMap((x) => x.nearestCharacter)) });
        for (const k of TRUTH_T2I_KEYS) (metrics as Record<string, number | null>)[`${k}_truth`] = tr[k];
        nearestTruth = groups.map((g, i) => nearestTrainingDistances(judges, g.drawings, truthGroups[i].drawings));
        metrics.t2i_memorized_rate = scoreMemorizedRate(records.flatMap((r) => r.nearest), nearestTruth.flat(), config.copy_threshold);
      } else for (const k of [...TRUTH_T2I_KEYS.map((k) => `${k}_truth`), 't2i_memorized_rate']) unavailable[k] = truth ? 'no held-out GRPO prompts' : noTruthReason(c);
      details.t2i = detail(records, nearestTruth);
      if (held) {
        const hr = judgeT2i(held, groups, refs, training, identityCandidates); // the same drawings, judged by the held-out set
        const h = t2iMetrics(hr, items.t2i, held.clip.tokenizer.vocab, config.copy_threshold);
        putHeldOut(h.metrics, h.unavailable);
        details.t2i_heldout = detail(hr);
        nearestSummary.push({ of: 'policy', judges: 'heldout', counts: nearestCounts(hr.flatMap((x) => x.nearestCharacter)) });
      }
      if (identityCandidates.references.size > 1) details.t2i_nearest_character = nearestSummary;
    });

    // --- multimodal role-play on the test image-dialogues ---
    await timed('mmrp', async () => {
      const drawn = await gatherMmrp(session, items.mmrp, replyOpts('mmrp'), config.picture_after_reply ?? true);
      const records = judgeMmrp(judges, text.emotion, drawn, refs);
      const r = mmrpMetrics(records);
      Object.assign(metrics, r.metrics);
      Object.assign(unavailable, r.unavailable);
      counts.mmrp = records.length;
      counts.mmrp_consistency_items = r.items;
      details.mmrp = records;
      if (held) {
        const hr = judgeMmrp(held, text.emotion, drawn, refs);
        const h = mmrpMetrics(hr);
        putHeldOut(h.metrics, h.unavailable);
        counts.mmrp_consistency_items_heldout = h.items;
        details.mmrp_heldout = hr;
      }
    });
  } finally {
    judges.dispose();
    held?.dispose();
    text.emotion.dispose();
    await threads?.dispose();
  }
  if (!held) for (const k of HELDOUT_METRIC_KEYS) unavailable[k] = 'no held-out judges given (EvaluateOptions.heldOutJudgesDir, `cmrp eval --heldout-judges DIR`)';
  counts.cropped_prompts = session.cropped;
  counts.shortened_replies = session.shortened;
  for (const [k, v] of Object.entries(metrics)) if (v === null && !unavailable[k]) unavailable[k] = 'no items to score';
  return {
    format: EVAL_REPORT_FORMAT,
    character: c.id,
    policy: { name: policy.name, kind: policy.kind },
    metrics,
    judges: { reward: opts.judgesDir, heldout: heldDir },
    counts,
    details,
    unavailable,
    config: { ...evalIdentity(config), shots },
    timings,
    seconds: round((performance.now() - t0) / 1000),
  };
}
