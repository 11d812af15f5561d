/**
 * The Character-GRPO reward constants of the UniCharacter release (github Tangc03/UniCharacter,
 * read at bb50c54, 2026-12-06), defined once: the workbench's reward defaults (config.ts), its
 * reading of an official yaml (config.ts `fromOfficialYaml`) and the export to the official
 * pipeline (src/export/grpo-files.ts) all take them from here.
 *
 * The release has two sets, and they differ in the band's low threshold:
 * - The run's config, flow_grpo/config/personalized_t2i_bagel.yaml `reward_weights`: the values
 *   the release trains with (the launcher passes this yaml, and its block replaces the code's
 *   defaults whole: flow_grpo/config/load_personalized_t2i_config.py). **The official band is
 *   0.5 / 0.9.**
 * - The scorer's fallbacks, flow_grpo/flow_grpo/rewards.py: a yaml block that omits a threshold
 *   gets `reward_weights.get("dino_threshold_low", 0.3)` (0.9 high). They matter only when reading
 *   such a yaml, the way the official code would.
 * Both bands are DINOv2 cosines; the workbench's own band (config.ts) is calibrated for its judge.
 */

/** personalized_t2i_bagel.yaml `reward_weights`: the four components' weights. */
export const RELEASE_WEIGHTS = { vqa: 0.3, clip_t: 0.45, diversity_lpips: 0.1, dino_penalty: 0.15 } as const;

/** personalized_t2i_bagel.yaml `reward_weights`: the identity band the release trains with (in the yaml's key order). */
export const RELEASE_BAND = { dino_threshold_high: 0.9, dino_threshold_low: 0.5 } as const;

/** flow_grpo/flow_grpo/rewards.py: the band when a yaml's `reward_weights` omits the thresholds. */
export const SCORER_DEFAULT_BAND = { dino_threshold_high: 0.9, dino_threshold_low: 0.3 } as const;
