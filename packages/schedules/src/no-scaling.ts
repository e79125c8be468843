import { checkTime } from './check.js';
import type { Scaling } from './types.js';

/** The identity scaling returned by {@link noScaling}. */
export interface NoScaling extends Scaling {
  readonly name: 'none';
}

/**
 * The identity scaling s(t) = 1: the sampler works on the unscaled x̂ directly.
 * Used by VE, iDDPM+DDIM and EDM.
 *
 * Paper: Table 1, VE, iDDPM+DDIM and "Ours" columns, row "Scaling s(t)": s(t) = 1, s'(t) = 0.
 *
 * @example
 * noScaling().s(3); // 1
 * @see https://arxiv.org/abs/2206.00364
 */
export function noScaling(): NoScaling {
  return Object.freeze({
    name: 'none' as const,
    s(t: number): number {
      checkTime(t);
      return 1;
    },
    sDeriv(t: number): number {
      checkTime(t);
      return 0;
    },
  });
}
