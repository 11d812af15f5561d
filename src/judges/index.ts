/**
 * The judges: small trained stand-ins for UniCharacter's BLIP-VQA (vqa), CLIP-T (clip),
 * DINO / CLIP-I (identity: variants `dino`, `clip_i`) and LPIPS (lpips) on 32x32 images, and the
 * text judges. Train the image judges with `trainJudges` (or `cmrp judges train`); `loadJudges`
 * reads a judge set into `Judges`, what GRPO's rewards and the evaluation suite call.
 *
 * Inside judges/ imports run one way, bottom first (test/layout.test.ts checks it):
 *   core/    shared infrastructure: attributes, the 32x32 image reader and renders, the mixer
 *            encoder, judge checkpoints, the training loop (fit), the world and evaluation data
 *   image/   the four synthetic image judges, their config, the judge set (load.ts), its training
 *            (train.ts) and report; imports core/
 *   real/    the identity judge retrained on real RoleScape-20 images; imports image/ and core/
 *   text/    style attribution and line emotion; imports none of the above
 *   heldout.ts, index.ts (this)   above every subfolder: the held-out judge set is trained as an
 *            image set and, on real data, picks a leave-the-character-out real judge
 */
// the judge set first: what the rest of src/ loads
export { loadJudges } from './image/load';
export type { Judges, JudgesManifest } from './image/load';
export { HEADS, ATTRIBUTES, IDENTITY_ATTRIBUTES, labelSpaceOf, kindOfBody } from './core/attributes';
export type { Head, Attribute, LabelSpace, Labels } from './core/attributes';
export { toBatch, renderImage32, writePng32, IMAGE_SIZE } from './core/images';
export type { ImageInput } from './core/images';
export { ImageEncoder, EncoderConfigSchema, patchify } from './core/encoder';
export type { EncoderConfig } from './core/encoder';
export { parseQuestion, answerFromLabels, valueOfPhrase, phraseOf, TEMPLATE_IDS } from './image/question';
export type { ParsedQuestion, VqaQuestionInput } from './image/question';
export { VqaJudge, trainVqa, attributeAccuracy, scoreWith } from './image/vqa';
export type { Answer, VqaScore, AttributeProbs, AttributeAccuracy } from './image/vqa';
export { ClipJudge, trainClip, evaluateClip } from './image/clip';
export type { ClipEval } from './image/clip';
export { IdentityJudge, trainIdentity, evaluateIdentity, IDENTITY_VARIANTS } from './image/identity';
export type { IdentityVariant, IdentityEval } from './image/identity';
export { LpipsJudge, trainLpips, evaluateLpips, perturbationSet } from './image/lpips';
export type { LpipsEval } from './image/lpips';
export { JUDGE_FORMAT } from './core/checkpoint';
export { ImageSet, loadWorldData, loadEvalData } from './core/data';
export { resolveJudgesConfig, JudgesConfigSchema, SMOKE_CONFIG } from './image/config';
export type { JudgesConfig } from './image/config';
export { trainJudges } from './image/train';
export type { TrainJudgesOptions } from './image/train';
export { reportJudges, evaluateJudges, formatJudgesReport } from './image/report';
export type { JudgesReport } from './image/report';
export * as real from './real';
export { trainHeldOutJudges, judgeSetOverlap, judgesCharacters, heldOutJudgesFor, HELDOUT_VARIANT, HELDOUT_SEED } from './heldout';
export type { JudgeSetOverlap } from './heldout';
export { clipTextCoverage, CLIP_T_MIN_COVERAGE } from './image/clip-text';
export type { ClipTextCoverage } from './image/clip-text';
