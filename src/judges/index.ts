/**
 * The image judges: small trained stand-ins for UniCharacter's BLIP-VQA (vqa), CLIP-T (clip),
 * DINO / CLIP-I (identity: variants `dino`, `clip_i`) and LPIPS (lpips), on 32x32 images.
 * Train them with `trainJudges` (or `cmrp judges train`), load them with `loadJudges` (load.ts).
 */
export { HEADS, ATTRIBUTES, IDENTITY_ATTRIBUTES, labelSpaceOf, kindOfBody } from './attributes';
export type { Head, Attribute, LabelSpace, Labels } from './attributes';
export { toBatch, renderImage32, writePng32, IMAGE_SIZE } from './images';
export type { ImageInput } from './images';
export { ImageEncoder, EncoderConfigSchema, patchify } from './encoder';
export type { EncoderConfig } from './encoder';
export { parseQuestion, answerFromLabels, valueOfPhrase, phraseOf, TEMPLATE_IDS } from './question';
export type { ParsedQuestion, VqaQuestionInput } from './question';
export { VqaJudge, trainVqa, attributeAccuracy, scoreWith } from './vqa';
export type { Answer, VqaScore, AttributeProbs, AttributeAccuracy } from './vqa';
export { ClipJudge, trainClip, evaluateClip } from './clip';
export type { ClipEval } from './clip';
export { IdentityJudge, trainIdentity, evaluateIdentity, IDENTITY_VARIANTS } from './identity';
export type { IdentityVariant, IdentityEval } from './identity';
export { LpipsJudge, trainLpips, evaluateLpips, perturbationSet } from './lpips';
export type { LpipsEval } from './lpips';
export { JUDGE_FORMAT } from './checkpoint';
export { ImageSet, loadWorldData, loadEvalData } from './data';
export { loadJudges } from './load';
export type { Judges, JudgesManifest } from './load';
export { resolveJudgesConfig, JudgesConfigSchema, SMOKE_CONFIG } from './config';
export type { JudgesConfig } from './config';
export { trainJudges } from './train';
export type { TrainJudgesOptions } from './train';
export { reportJudges, evaluateJudges, formatJudgesReport } from './report';
export type { JudgesReport } from './report';
export * as real from './real';
export { trainHeldOutJudges, judgeSetOverlap, judgesCharacters, heldOutJudgesFor, HELDOUT_VARIANT, HELDOUT_SEED } from './heldout';
export type { JudgeSetOverlap } from './heldout';
export { clipTextCoverage, CLIP_T_MIN_COVERAGE } from './clip-text';
export type { ClipTextCoverage } from './clip-text';
