/**
 * The text judges: style attribution (which character's voice a line is in, among candidates
 * given by their reference lines) and line emotion (the emotion and place a line states).
 * Trained on the synthetic world only; see train.ts for the data split, load.ts for the checkpoint.
 */
export { StyleJudge, StyleConfigSchema, trainStyleJudge } from './style';
export type { StyleCandidate, StyleAttribution, PreparedCandidates, StyleConfig, StyleWeighting } from './style';
export { EmotionJudge, EmotionConfigSchema, trainEmotionJudge, NONE } from './emotion';
export type { LineEmotion, EmotionConfig, EmotionLabels } from './emotion';
export { loadCorpus } from './corpus';
export type { Corpus, CharacterLines, LabeledLine } from './corpus';
export { PARAPHRASES, keywordPredict } from './evaluate';
export { loadTextJudges, saveTextJudges, FORMAT as TEXT_JUDGES_FORMAT } from './load';
export type { TextJudges } from './load';
export { TextJudgesConfigSchema } from './config';
export type { TextJudgesConfig } from './config';
export { trainTextJudges } from './train';
export type { TrainTextJudgesOptions } from './train';
export { reportTextJudges, formatTextJudgesReport } from './report';
export type { TextJudgesReport } from './report';
