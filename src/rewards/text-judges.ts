/** The text judges a text-side component needs, or a clear error naming the missing context field. */
import { UserError } from '../util/errors';
import type { TextJudges } from '../judges/text';
import type { RewardContext } from './types';

export function requireTextJudges(ctx: RewardContext, component: string): TextJudges {
  if (!ctx.textJudges) throw new UserError(`${component} reward: ctx.textJudges is missing (load them with loadTextJudges(checkpoints/text-judges))`);
  return ctx.textJudges;
}
