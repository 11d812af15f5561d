/**
 * Judges for real RoleScape-20 images (`cmrp judges train-real`, `report-real`): the identity judge
 * retrained on a folder's real training images, scored on its test images. Files: train.ts (training),
 * common.ts (config, shapes, data), views.ts (augmented views), eval.ts (the identity figures),
 * report.ts (`report-real`, the text report).
 */
export { trainRealJudges } from './train';
export * from './common';
export { reportRealJudges, formatRealJudgesReport } from './report';
export { rankCharacters, evaluateRealIdentity } from './eval';
export type { RealIdentityEval } from './eval';
export { AugmentConfigSchema } from './views';
