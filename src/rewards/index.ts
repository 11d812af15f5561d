/**
 * Character-GRPO's rewards: components of one signature (types.ts), their config (config.ts),
 * measurement and composition (compose.ts), GRPO advantages (advantages.ts), re-weighting what-ifs
 * (what-if.ts), the identity band's calibration (calibrate.ts) and the official release's constants
 * (official.ts).
 */
export type { RewardBatch, RewardContext, RewardFn } from './types';
export { COMPONENT_NAMES, TEXT_SIDE_COMPONENTS, WeightsSchema, RewardConfigSchema, parseRewardConfig, fromOfficialYaml } from './config';
export type { ComponentName, RewardConfig, RewardConfigInput } from './config';
export { RELEASE_WEIGHTS, RELEASE_BAND, SCORER_DEFAULT_BAND } from './official';
export { vqaReward } from './vqa';
export { clipTReward } from './clip-t';
export { diversityLpips, diversityLpipsPerSample, groupPairs, groupMeanDiversity, perSampleDiversity } from './diversity';
export type { GroupPairs } from './diversity';
export { bandPenalty, bandReferences, identitySimilarity, identityBandPenalty, maxPerRow } from './identity-band';
export { styleReward } from './style';
export { profileFactsReward, profileFactScore } from './profile-facts';
export { consistencyReward } from './consistency';
export { REWARD_COMPONENTS, measureRewards, combineRewards } from './compose';
export type { MeasuredName, RewardMeasurements, CombinedRewards } from './compose';
export { groupAdvantages, zeroStdGroupShare, zeroStdGroups } from './advantages';
export type { AdvantageScale, AdvantageOptions } from './advantages';
export { whatIf, kendallTau, officialPlacement, placedDiversity, withDiversity } from './what-if';
export type { PlacementOptions } from './what-if';
export type { GroupWhatIf, WhatIfSummary } from './what-if';
export { calibrateIdentityBand, identityBandValues, BAND_SETS } from './calibrate';
export type { BandSet, BandQuantiles } from './calibrate';
