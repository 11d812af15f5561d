/**
 * The text judges: style attribution (which character's voice a line is in, among candidates
 * given by their reference lines) and line emotion (the emotion and place a line states).
 * Trained on the synthetic world only; see train.ts for the data split and checkpoint layout.
 */
export { StyleJudge, StyleConfigSchema, trainStyleJudge } from './style';
export type { StyleCandidate, StyleAttribution, PreparedCandidates, StyleConfig, StyleWeighting } from './style';
export { EmotionJudge, EmotionConfigSchema, trainEmotionJudge, NONE } from './emotion';
export type { LineEmotion, EmotionConfig, EmotionLabels } from './emotion';
export { loadCorpus } from './corpus';
export type { Corpus, CharacterLines, LabeledLine } from './corpus';
export { PARAPHRASES, keywordPredict } from './evaluate';
export {
  trainTextJudges,
  loadTextJudges,
  saveTextJudges,
  reportTextJudges,
  formatTextJudgesReport,
  TextJudgesConfigSchema,
  FORMAT as TEXT_JUDGES_FORMAT,
} from './train';
export type { TextJudges, TextJudgesReport, TextJudgesConfig, TrainTextJudgesOptions } from './train';
