/**
 * `evaluatePolicy`: the CMRP evaluation suite for one policy on one character. Each metric family
 * gathers (runs the policy), judges (runs the stand-in judges) and scores (pure functions in its
 * file); this file only sequences them, times them and assembles the report. The models belong to
 * the caller; the judges are loaded here and released before returning.
 */
import type { Character } from '../../data/rolescape/types';
import { loadRoleScape } from '../../data/rolescape';
import { loadJudges } from '../../judges';
import { loadTextJudges } from '../../judges/text';
import { Rng } from '../../util/rng';
import type { Policy } from '../policy';
import { EvalConfig, EvalConfigInput, parseEvalConfig } from './config';
import { evaluationItems } from './items';
import { readImages32, referenceImages } from './references';
import { PolicySession, sampling } from './session';
import { synthTruth, noTruthReason } from './truth';
import { gatherMcq, gatherMemorization, memorizationRecords, scoreMcq, scoreMemorization } from './knowledge';
import { attributeReplies, characterLines, gatherStyleReplies, profileFactsOf, rateRatio, scorePersonaConsistency, scoreStyleAttribution, styleCandidates, styleJudgeFor, voiceRates } from './style';
import { gatherVqa, scoreVqa, vqaRecords } from './vqa';
import { clipTUnavailableReason, vqaScoreUnavailableReason, gatherT2i, judgeT2i, scoreT2i } from './t2i';
import { gatherMmrp, judgeMmrp, scoreConsistency, scoreMmrpIdentity } from './mmrp';
import { EVAL_REPORT_FORMAT, EvalReport, EXTRA_METRIC_KEYS, METRIC_KEYS, Metrics } from './report';

export interface EvaluateOptions {
  judgesDir: string;
  textJudgesDir: string;
  /** A resolved config or a partial one (defaults fill the rest). */
  config?: EvalConfig | EvalConfigInput;
  /** K reference images (default: config.shots). */
  shots?: number;
  /** The dataset's characters: the style judge's candidates (default: every character at c.root). */
  characters?: readonly Character[];
  log?: (line: string) => void;
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
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
  const metrics = Object.fromEntries([...METRIC_KEYS, ...EXTRA_METRIC_KEYS].map((k) => [k, null])) as Metrics;
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

  const candidates = styleCandidates(opts.characters ?? (await loadRoleScape(c.root)).characters);
  if (!candidates.some((x) => x.id === c.id)) throw new Error(`evaluatePolicy: ${c.id} is not among the style candidates (pass opts.characters including it)`);
  const refs = await readImages32(referenceImages(c, shots));
  const trainPixels = await readImages32(c.images.train);
  const training = [...trainPixels, ...trainPixels.map((p) => policy.tok.image.reconstruct(p))];
  const judges = loadJudges(opts.judgesDir);
  const text = await loadTextJudges(opts.textJudgesDir);
  try {
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

    // --- VQA on the test images ---
    await timed('vqa', async () => {
      const records = vqaRecords(await gatherVqa(session, items.vqa, config.max_answer_tokens));
      const s = scoreVqa(records);
      metrics.vqa_acc = s.acc;
      metrics.vqa_f1 = s.f1;
      counts.vqa = records.length;
      details.vqa = records;
      if (!records.length) unavailable.vqa_acc = unavailable.vqa_f1 = `no held-out VQA pairs: the data has no test-split VQA${truth ? '' : ', and without ground-truth labels none can be built'}`;
    });

    // --- text-to-image on the held-out GRPO prompts ---
    await timed('t2i', async () => {
      const groups = await gatherT2i(session, items.t2i, config.samples_per_prompt, sampling(rng('t2i'), config.temperature, config.top_k));
      const records = judgeT2i(judges, groups, refs, training);
      Object.assign(metrics, scoreT2i(records, config.copy_threshold));
      counts.t2i_prompts = records.length;
      counts.t2i_drawings = records.reduce((a, r) => a + r.nearest.length, 0);
      counts.references = refs.length;
      details.t2i = records.map((r) => ({
        sceneId: r.sceneId, prompt: r.prompt,
        dino: r.dino.map(mean), clipI: r.clipI.map(mean), clipT: r.clipT, vqa: r.vqa, diversity: r.pairwise.length ? mean(r.pairwise) : null, nearest: r.nearest,
      }));
      if (!records.length) for (const k of Object.keys(scoreT2i([], 0))) unavailable[k] = 'no held-out GRPO prompts';
      else if (metrics.t2i_vqa_score === null) unavailable.t2i_vqa_score = 'the VQA judge could parse none of the prompts\' questions (outside the synthetic label space)';
      else {
        const vqa = vqaScoreUnavailableReason(items.t2i);
        if (vqa) {
          metrics.t2i_vqa_score = null;
          unavailable.t2i_vqa_score = vqa;
        }
      }
      if (records.length && metrics.t2i_diversity === null) unavailable.t2i_diversity = 'needs samples_per_prompt >= 2';
      const clipT = clipTUnavailableReason(judges.clip.tokenizer.vocab, records.map((r) => r.prompt));
      if (clipT) {
        metrics.t2i_clip_t = null;
        unavailable.t2i_clip_t = clipT;
      }
    });

    // --- multimodal role-play on the test image-dialogues ---
    await timed('mmrp', async () => {
      const drawn = await gatherMmrp(session, items.mmrp, replyOpts('mmrp'), config.picture_after_reply ?? true);
      const records = judgeMmrp(judges, text.emotion, drawn, refs);
      const s = scoreConsistency(records);
      metrics.mmrp_identity = scoreMmrpIdentity(records);
      metrics.mmrp_consistency = s.consistency;
      metrics.mmrp_expression_agreement = s.expressionAgreement;
      metrics.mmrp_scene_agreement = s.sceneAgreement;
      metrics.mmrp_drew_share = records.length ? records.filter((r) => r.drewItself).length / records.length : null;
      counts.mmrp = records.length;
      counts.mmrp_consistency_items = s.items;
      details.mmrp = records;
      if (!records.length) for (const k of ['mmrp_identity', 'mmrp_consistency', 'mmrp_expression_agreement', 'mmrp_scene_agreement', 'mmrp_drew_share']) unavailable[k] = 'no test image-dialogues';
      else if (s.consistency === null) unavailable.mmrp_consistency = `the text judge read no emotion or place in any of the ${records.length} replies`;
    });
  } finally {
    judges.dispose();
    text.emotion.dispose();
  }
  counts.cropped_prompts = session.cropped;
  counts.shortened_replies = session.shortened;
  for (const [k, v] of Object.entries(metrics)) if (v === null && !unavailable[k]) unavailable[k] = 'no items to score';
  return {
    format: EVAL_REPORT_FORMAT,
    character: c.id,
    policy: { name: policy.name, kind: policy.kind },
    metrics,
    counts,
    details,
    unavailable,
    config: { ...config, shots },
    timings,
    seconds: round((performance.now() - t0) / 1000),
  };
}
