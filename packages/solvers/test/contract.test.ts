import { describe, expect, it } from 'vitest';
import { arrayOps, arrayOpsFor, DenoiserError, ParameterError, sampleRngs } from '@edmkit/core';
import {
  deis,
  dpm2Ancestral,
  dpmpp2sAncestral,
  dpmppSde,
  dpmSolverPlusPlus,
  dpmSolverPlusPlusSde,
  dpmSolverPlusPlusSingle,
  dpmSolverSingle,
  euler,
  eulerAncestral,
  heun,
  ipndm,
  lms,
  sample,
  secondOrder,
  stepsForNfe,
  unipc,
  type SigmaSolver,
} from '@edmkit/solvers';
import { trackingOps } from './helpers/gaussian-flow.js';

/** Every solver on the shared contract, with options away from the defaults. */
const solvers: [string, SigmaSolver][] = [
  ['euler', euler({ churn: { sChurn: 2, sMin: 0.5, sMax: 20 } })],
  ['heun', heun({ churn: { sChurn: 3 } })],
  ['second-order α = 0.6', secondOrder({ alpha: 0.6 })],
  ['dpmpp-2m heun', dpmSolverPlusPlus({ solverType: 'heun' })],
  ['dpmpp-3m taylor', dpmSolverPlusPlus({ order: 3, d2Coefficient: 'taylor' })],
  ['dpmpp-2m-sde heun', dpmSolverPlusPlusSde({ solverType: 'heun', eta: 0.5 })],
  ['dpmpp-3m-sde', dpmSolverPlusPlusSde({ order: 3 })],
  ['dpmpp-3s heun', dpmSolverPlusPlusSingle({ order: 3, solverType: 'heun' })],
  ['dpmpp-2s', dpmSolverPlusPlusSingle()],
  ['dpm-solver-3', dpmSolverSingle({ order: 3, sChurn: 1 })],
  ['euler-ancestral', eulerAncestral({ eta: 0.7 })],
  ['dpm2-ancestral', dpm2Ancestral({ eta: 0.5 })],
  ['dpmpp-2s-ancestral', dpmpp2sAncestral()],
  ['dpmpp-sde r = 0.3', dpmppSde({ r: 0.3 })],
  ['unipc-3 bh1', unipc({ order: 3, variant: 'bh1' })],
  ['deis-3 σ', deis({ order: 3, interpolation: 'sigma' })],
  ['lms-3', lms({ order: 3 })],
  ['ipndm-4', ipndm({ order: 4 })],
];

const dim = 3;
const batch = 2;
const denoiser = (x: Float64Array, sigma: number): Float64Array =>
  x.map((v) => v / (1 + sigma * sigma));
const x0 = Float64Array.from({ length: batch * dim }, (_, k) => 10 * Math.sin(k + 1));
const grid = (n: number, finalZero: boolean): number[] => {
  const s = Array.from({ length: n + 1 }, (_, i) => 10 * Math.pow(0.5, i));
  if (finalZero) s[n] = 0;
  return s;
};

describe('the solver contract', () => {
  it.each(solvers)(
    '%s: NFE is known before the run, for every N and both endings',
    async (_, solver) => {
      for (const finalZero of [true, false]) {
        for (let n = 1; n <= 7; n++) {
          let calls = 0;
          const { nfe } = await solver.sample({
            ops: arrayOps,
            denoiser: (x, s) => (calls++, denoiser(x, s)),
            x: x0,
            sigmas: grid(n, finalZero),
            rngs: sampleRngs(3, batch),
          });
          expect([nfe, calls]).toEqual([solver.nfe(n, finalZero), solver.nfe(n, finalZero)]);
        }
      }
      expect(stepsForNfe(solver, 1)).toBe(1);
      expect(solver.nfe(stepsForNfe(solver, 20)!)).toBeLessThanOrEqual(20);
      expect(solver.nfe(stepsForNfe(solver, 20)! + 1)).toBeGreaterThan(20);
    },
  );

  it.each(solvers)(
    '%s: leaves no tensor behind when the denoiser or onStep throws',
    async (_, solver) => {
      const nfe = solver.nfe(5);
      for (let fail = 1; fail <= nfe; fail++) {
        const { ops, live, track } = trackingOps();
        let calls = 0;
        const run = solver.sample({
          ops,
          denoiser: async (x, s) => {
            if (++calls === fail) throw new Error('network failed');
            await Promise.resolve();
            return track(denoiser(x, s));
          },
          x: x0,
          sigmas: grid(5, true),
          rngs: sampleRngs(3, batch),
        });
        await expect(run).rejects.toThrow('network failed');
        expect(live.size).toBe(0);
      }
      for (let fail = 0; fail < 5; fail++) {
        const { ops, live, track } = trackingOps();
        const run = solver.sample({
          ops,
          denoiser: (x, s) => track(denoiser(x, s)),
          x: x0,
          sigmas: grid(5, true),
          rngs: sampleRngs(3, batch),
          onStep: ({ i }) => {
            if (i === fail) throw new Error('callback failed');
          },
        });
        await expect(run).rejects.toThrow('callback failed');
        expect(live.size).toBe(0);
      }
      const { ops, live, track } = trackingOps();
      const { x } = await solver.sample({
        ops,
        denoiser: (y, s) => track(denoiser(y, s)),
        x: x0,
        sigmas: grid(5, false),
        rngs: sampleRngs(3, batch),
      });
      expect([...live]).toEqual([x]);
    },
  );

  it.each(solvers)(
    '%s: a faulty denoiser output is a DenoiserError naming the step and σ',
    async (_, solver) => {
      const faults: [string, (x: Float64Array) => unknown, RegExp][] = [
        [
          'NaN',
          (x) => x.map((v, k) => (k === 4 ? NaN : v)),
          /non-finite values \(NaN at index 4\)/,
        ],
        ['Infinity', (x) => x.map(() => -Infinity), /non-finite values \(-Infinity at index 0\)/],
        ['undefined', () => undefined, /returned undefined/],
        ['wrong length', (x) => x.subarray(1), /5 values instead of 6/],
        ['wrong type', (x) => Array.from(x), /a Array instead of a Float64Array/],
      ];
      for (const [, fault, message] of faults) {
        for (const failAt of [1, 2]) {
          let calls = 0;
          let sigmaOfFault = NaN;
          let stepOfFault = NaN;
          let done = 0;
          const error = await solver
            .sample({
              ops: arrayOps,
              denoiser: (x, sigma) => {
                if (++calls < failAt) return denoiser(x, sigma);
                sigmaOfFault = sigma;
                stepOfFault = done;
                return fault(x) as Float64Array;
              },
              x: x0,
              sigmas: grid(4, true),
              rngs: sampleRngs(3, batch),
              onStep: () => void done++,
            })
            .then(
              () => undefined,
              (e: unknown) => e,
            );
          expect(error).toBeInstanceOf(DenoiserError);
          const e = error as DenoiserError;
          expect(e.message).toMatch(message);
          expect(e.sigma).toBe(sigmaOfFault);
          expect(e.message).toContain(`(sigma = ${sigmaOfFault})`);
          expect(e.step).toBe(stepOfFault);
        }
      }
    },
  );

  it('a denoiser returning its own input is copied, not disposed under the caller', async () => {
    const { ops, live } = trackingOps();
    const { x } = await euler().sample({ ops, denoiser: (y) => y, x: x0, sigmas: [4, 2, 0] });
    expect(Array.from(x)).toEqual(Array.from(x0));
    expect([...live]).toEqual([x]);
  });

  it('refuses bad σ lists, runs and option bags with ParameterErrors naming the parameter', async () => {
    const s = heun();
    const run = (over: object) =>
      s.sample({ ops: arrayOps, denoiser, x: x0, sigmas: [2, 1, 0], ...over } as never);
    await expect(run({ sigmas: [2, 1, 0, 0] })).rejects.toThrow(/sigmas\[3\] must be absent/);
    await expect(run({ sigmas: [2, NaN, 0] })).rejects.toThrow(/sigmas\[1\] must be a finite/);
    await expect(run({ sigmas: [1, 2, 0] })).rejects.toThrow(/sigmas\[1\] must be a number < /);
    await expect(run({ denoiser: 3 })).rejects.toThrow(/denoiser must be a function/);
    await expect(run({ ops: {} })).rejects.toThrow(/ops must be a TensorOps/);
    await expect(run({ x: undefined })).rejects.toThrow(/x must be/);
    await expect(run({ onStep: 'log' })).rejects.toThrow(/onStep must be a function/);
    await expect(
      dpmSolverPlusPlus().sample({ ops: arrayOps, denoiser, x: x0, sigmas: [2, 2, 0] }),
    ).rejects.toThrow(/duplicates/);
    expect(() => dpmSolverPlusPlus({ solverType: 'euler' as 'heun' })).toThrow(
      /unknown solverType "euler"/,
    );
    expect(() => dpmSolverPlusPlus({ d2Coefficient: 'exact' as 'taylor' })).toThrow(
      /d2Coefficient/,
    );
    expect(() => dpm2Ancestral({ eta: 1.5 })).toThrow(/eta must be/);
    expect(() => dpmppSde({ r: 1 })).toThrow(/r must be/);
    expect(() => deis({ interpolation: 'log' as 'sigma' })).toThrow(/interpolation/);
    expect(() => heun({ duplicates: 'drop' as 'keep' })).toThrow(/duplicates must be/);
    expect(() => s.nfe(-3)).toThrow(ParameterError);
    expect(() => s.nfe(2.5)).toThrow(/steps must be/);
    for (const bad of [0, -5, NaN, 1.5]) expect(() => stepsForNfe(s, bad)).toThrow(/nfe must be/);
    expect(stepsForNfe(dpmSolverSingle({ order: 3 }), 1)).toBe(1);
    expect(stepsForNfe(dpmSolverSingle({ order: 3 }), 3, false)).toBe(1);
    expect(stepsForNfe(dpmSolverSingle({ order: 3 }), 2, false)).toBeUndefined();
  });

  it('refuses a 2nd-order step whose intermediate time rounds to 0 instead of returning NaN', async () => {
    await expect(
      heun().sample({ ops: arrayOps, denoiser, x: Float64Array.of(1), sigmas: [1, 1e-10, 0] }),
    ).resolves.toBeDefined();
    await expect(
      heun().sample({ ops: arrayOps, denoiser, x: Float64Array.of(1), sigmas: [1, 1e-300, 0] }),
    ).rejects.toThrow(ParameterError);
    await expect(
      secondOrder({ alpha: 1 }).sample({
        ops: arrayOps,
        denoiser,
        x: Float64Array.of(1),
        sigmas: [1, 2 ** -60, 2 ** -70],
      }),
    ).rejects.toThrow(/sigmas\[1\] must be a level whose intermediate time/);
  });

  it('sample() on times gives the same numbers as the solver on the levels σ(t)', async () => {
    const latents = x0.map((v) => v / 10);
    const tSteps = [10, 4, 1.5, 0.3, 0];
    const viaTimes = await sample({ ops: arrayOps, denoiser, latents, tSteps, solver: heun() });
    const viaLevels = await heun().sample({ ops: arrayOps, denoiser, x: x0, sigmas: tSteps });
    expect(viaTimes.nfe).toBe(7);
    expect(Array.from(viaTimes.x)).toEqual(Array.from(viaLevels.x));
  });
});

describe('one stream per sample', () => {
  it.each(solvers.filter(([, s]) => s.stochastic))(
    '%s: with arrayOpsFor, fewer streams than samples is a ParameterError, not a shared stream',
    async (_, solver) => {
      const run = solver.sample({
        ops: arrayOpsFor(dim),
        denoiser,
        x: x0,
        sigmas: grid(3, true),
        rngs: sampleRngs(3, 1),
      });
      await expect(run).rejects.toThrow(/rngs must be one Rng per sample \(2\) \(got 1\)/);
    },
  );
});

describe('arrayOps', () => {
  it('refuses a non-finite coefficient instead of returning NaN', () => {
    expect(() => arrayOps.combine([[NaN, x0]])).toThrow(/terms\[0\]\[0\] must be a finite/);
    expect(() =>
      arrayOps.combine([
        [1, x0],
        [Infinity, x0],
      ]),
    ).toThrow(/terms\[1\]\[0\]/);
  });
});
