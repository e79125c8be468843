import { describe, expect, it } from 'vitest';
import { arrayOps, createRng, DenoiserError, ParameterError, sampleRngs } from '@edmkit/core';
import type { Rng } from '@edmkit/core';
import { edmPrecond, iddpmPrecond, preconditionBatch, vePrecond, vpPrecond } from '@edmkit/precond';
import type { BatchRawNetwork, Preconditioner } from '@edmkit/precond';
import {
  denoisingLoss,
  denoisingLossF,
  edmWeighting,
  iddpmNoise,
  inverseSquare,
  logNormal,
  lossPerSample,
  softMinSnr,
  veNoise,
  vpNoise,
} from '@edmkit/losses';
import type { LossWeighting, NoiseDistribution } from '@edmkit/losses';
import { countingOps } from './helpers.js';

/** Tiny linear raw network F(xIn; c_noise) = 0.5·xIn + 0.1·c_noise[b], `per` elements per sample. */
function linearF(per: number): (xIn: Float64Array, cNoise: Float64Array) => Float64Array {
  return (xIn, cNoise) => xIn.map((v, i) => 0.5 * v + 0.1 * cNoise[Math.floor(i / per)]!);
}

// Two samples of two elements, fixed draws.
const y = new Float64Array([0.5, -1, 0.25, 0.75]);
const eps = new Float64Array([1, -1, 0.5, 2]);
const sigma = new Float64Array([0.5, 2]);

describe('denoisingLoss, hand values with fixed σ and ε', () => {
  it('EDM preconditioner and weighting', () => {
    const r = denoisingLoss({
      ops: arrayOps,
      denoiser: preconditionBatch(linearF(2), edmPrecond(), arrayOps),
      y,
      weighting: edmWeighting(),
      sigma,
      noise: eps,
    });
    // σ = 0.5: x = y + 0.5ε = [1, −1.5]; c_skip = 0.5, c_out = √0.125, c_in = √2, c_noise = ¼ ln 0.5;
    // D = [0.74387339, −1.13112661]; λ = 8. σ = 2: x = [1.25, 4.75]; λ = 4.25.
    const hand = [
      0.47579382954698524, 0.1375535099270557, 0.0018753426634431864, 0.0396927516032895,
    ];
    hand.forEach((h, i) => expect(r.loss[i]).toBeCloseTo(h, 14));
    expect(Array.from(r.sigma)).toEqual([0.5, 2]);
    expect(r.weight[0]).toBe(8);
    expect(r.weight[1]).toBeCloseTo(4.25, 14);
  });

  it('VE preconditioner with λ = 1/σ²', () => {
    const r = denoisingLoss({
      ops: arrayOps,
      denoiser: preconditionBatch(linearF(2), vePrecond(), arrayOps),
      y,
      weighting: inverseSquare(),
      sigma,
      noise: eps,
    });
    // D = x + σ(0.5x + 0.1 ln(σ/2)); σ = 2 → D = 2x: ((2·1.25 − 0.25)/2)² = 1.265625.
    const hand = [1.8533298122207609, 3.56692114694869, 1.265625, 19.140625];
    hand.forEach((h, i) => expect(r.loss[i]).toBeCloseTo(h, 13));
  });

  it('the denoiser sees y + σ·ε and one σ per sample', () => {
    let seen: { x: number[]; sigma: number[] } | undefined;
    denoisingLoss({
      ops: arrayOps,
      denoiser: (x: Float64Array, s: Float64Array) => {
        seen = { x: Array.from(x), sigma: Array.from(s) };
        return x;
      },
      y,
      weighting: inverseSquare(),
      sigma,
      noise: eps,
    });
    expect(seen).toEqual({ x: [1, -1.5, 1.25, 4.75], sigma: [0.5, 2] });
  });
});

/** Records the noisy input the denoiser receives, to recover ε = (x − y)/σ. */
function recordingDenoiser(): {
  denoiser: (x: Float64Array, s: Float64Array) => Float64Array;
  x: Float64Array[];
} {
  const x: Float64Array[] = [];
  return {
    x,
    denoiser: (xi, s) => {
      x.push(xi.slice());
      return xi.map((v, i) => v * 0.9 + s[Math.floor(i / (xi.length / s.length))]! * 0.01);
    },
  };
}

describe('draws: σ first, then ε, sample b from rngs[b] only', () => {
  const per = 5;
  const yBig = Float64Array.from({ length: 8 * per }, (_, i) => Math.sin(i));

  it('reproduces a hand-driven stream: σ_b from its next normal, then ε_b', () => {
    const rec = recordingDenoiser();
    const r = denoisingLoss({
      ops: arrayOps,
      denoiser: rec.denoiser,
      y: yBig.subarray(0, 4 * per),
      rngs: sampleRngs(7, 4),
      distribution: logNormal(),
      weighting: edmWeighting(),
    });
    sampleRngs(7, 4).forEach((rng, b) => {
      const s = Math.exp(rng.normal() * 1.2 - 1.2);
      expect(r.sigma[b]).toBe(s);
      const e = rng.fillNormal(new Float64Array(per));
      for (let i = 0; i < per; i++) {
        expect(rec.x[0]![b * per + i]).toBeCloseTo(yBig[b * per + i]! + s * e[i]!, 14);
      }
    });
  });

  const distributions: NoiseDistribution[] = [vpNoise(), veNoise(), iddpmNoise(), logNormal()];
  it.each(distributions.map((p) => [p.name, p] as const))(
    '%s: sample b’s σ, noise and loss do not change with the batch size',
    (_name, distribution) => {
      const run = (count: number, first: number) => {
        const rec = recordingDenoiser();
        const r = denoisingLoss({
          ops: arrayOps,
          denoiser: rec.denoiser,
          y: yBig.slice(first * per, (first + count) * per),
          rngs: sampleRngs(3, count, first),
          distribution,
          weighting: softMinSnr(),
        });
        return { ...r, x: rec.x[0]! };
      };
      const big = run(8, 0);
      const small = run(3, 0);
      const tail = run(2, 6);
      expect(Array.from(small.sigma)).toEqual(Array.from(big.sigma.subarray(0, 3)));
      expect(Array.from(tail.sigma)).toEqual(Array.from(big.sigma.subarray(6, 8)));
      expect(Array.from(small.x)).toEqual(Array.from(big.x.subarray(0, 3 * per)));
      expect(Array.from(tail.loss)).toEqual(Array.from(big.loss.subarray(6 * per)));
    },
  );

  it('a given σ with drawn noise takes ε from the start of each stream', () => {
    const rec = recordingDenoiser();
    denoisingLoss({
      ops: arrayOps,
      denoiser: rec.denoiser,
      y,
      rngs: sampleRngs(1, 2),
      weighting: inverseSquare(),
      sigma,
    });
    const e1 = sampleRngs(1, 2, 1)[0]!.fillNormal(new Float64Array(2));
    expect(rec.x[0]![2]).toBeCloseTo(0.25 + 2 * e1[0]!, 15);
  });
});

describe('ideal denoiser of Gaussian data: expected loss in closed form', () => {
  // y ~ N(0, σ_d² I): D(x; σ) = σ_d²/(σ² + σ_d²)·x and D − y ~ N(0, σ²σ_d²/(σ² + σ_d²)) per element,
  // so E[λ(σ)(D − y)²] = λ(σ)·σ²σ_d²/(σ² + σ_d²); = 1 exactly for the EDM weighting.
  const sigmaData = 0.5;
  const batch = 64;
  const per = 256;
  const yData = createRng(100)
    .fillNormal(new Float64Array(batch * per))
    .map((v) => v * sigmaData);
  const ideal = (x: Float64Array, s: Float64Array) =>
    x.map((v, i) => {
      const sb = s[Math.floor(i / per)]!;
      return (sigmaData ** 2 / (sb * sb + sigmaData ** 2)) * v;
    });
  const cases: [string, NoiseDistribution, LossWeighting][] = [
    ['edm', logNormal(), edmWeighting()],
    ['vp', vpNoise(), inverseSquare()],
    ['ve', veNoise(), inverseSquare()],
    ['iddpm', iddpmNoise(), inverseSquare()],
    ['soft-min-snr', logNormal(), softMinSnr()],
  ];
  it.each(cases)(
    '%s: loss / E[loss] averages 1 (χ²₁ per element)',
    (_name, distribution, weighting) => {
      const r = denoisingLoss({
        ops: arrayOps,
        denoiser: ideal,
        y: yData,
        rngs: sampleRngs(5, batch),
        distribution,
        weighting,
      });
      let total = 0;
      r.loss.forEach((l, i) => {
        const b = Math.floor(i / per);
        const s = r.sigma[b]!;
        total += l / (r.weight[b]! * ((s * s * sigmaData ** 2) / (s * s + sigmaData ** 2)));
      });
      const mean = total / r.loss.length;
      expect(Math.abs(mean - 1)).toBeLessThan(5 * Math.sqrt(2 / r.loss.length));
      if (_name === 'edm') {
        const perSample = lossPerSample(r.loss, batch);
        const objective = perSample.reduce((a, c) => a + c, 0) / batch; // official reduction
        expect(Math.abs(objective / per - 1)).toBeLessThan(5 * Math.sqrt(2 / r.loss.length));
      }
    },
  );
});

describe('denoisingLossF equals the D-space loss', () => {
  const per = 3;
  const sigmaGrid = new Float64Array([0.003, 0.02, 0.3, 1, 4, 40, 150]);
  const batch = sigmaGrid.length;
  const yy = Float64Array.from({ length: batch * per }, (_, i) => Math.cos(1.3 * i) * 0.8);
  const ee = createRng(2).fillNormal(new Float64Array(batch * per));
  const preconds: [Preconditioner, LossWeighting][] = [
    [vpPrecond(), inverseSquare()],
    [vePrecond(), inverseSquare()],
    [iddpmPrecond(), inverseSquare()],
    [edmPrecond(), edmWeighting()],
    [edmPrecond(), softMinSnr()],
  ];

  it.each(preconds.map(([p, w]) => [p.name, w.name, p, w] as const))(
    '%s + %s: λ(D − y)² = λc_out²(F − target)² with fixed draws',
    (_p, _w, precond, weighting) => {
      const F = linearF(per);
      const dSpace = denoisingLoss({
        ops: arrayOps,
        denoiser: preconditionBatch(F, precond, arrayOps),
        y: yy,
        weighting,
        sigma: sigmaGrid,
        noise: ee,
      });
      const fSpace = denoisingLossF({
        ops: arrayOps,
        F,
        precond,
        y: yy,
        weighting,
        sigma: sigmaGrid,
        noise: ee,
      });
      expect(Array.from(fSpace.weight)).toEqual(Array.from(dSpace.weight));
      let worst = 0;
      dSpace.loss.forEach((l, i) => {
        const b = Math.floor(i / per);
        // Rounding budget: both sides evaluate D − y (or its F-space image) with an absolute
        // error δ of a few ulps of |x| + |y| + |D − y|, so |Δloss| ≲ λ(2|D − y|δ + δ²).
        const lambda = dSpace.weight[b]!;
        const r = Math.sqrt(l / lambda); // |D − y|
        const x = yy[i]! + sigmaGrid[b]! * ee[i]!;
        const delta = 2e-15 * (Math.abs(x) + Math.abs(yy[i]!) + r);
        worst = Math.max(
          worst,
          Math.abs(fSpace.loss[i]! - l) / (lambda * (2 * r * delta + delta * delta)),
        );
      });
      expect(worst).toBeLessThan(1);
      fSpace.effectiveWeight.forEach((w, b) =>
        expect(w).toBeCloseTo(fSpace.weight[b]! * precond.cOut(sigmaGrid[b]!) ** 2, 12),
      );
    },
  );

  it('λ·c_out² = 1 for EDM, VP, VE and iDDPM with their own weightings; targets ε, −ε, ε', () => {
    for (const [precond, weighting] of preconds.slice(0, 4)) {
      const r = denoisingLossF({
        ops: arrayOps,
        F: linearF(per),
        precond,
        y: yy,
        weighting,
        sigma: sigmaGrid,
        noise: ee,
      });
      r.effectiveWeight.forEach((w) => expect(Math.abs(w - 1)).toBeLessThan(1e-15));
      if (precond.name === 'vp' || precond.name === 'iddpm')
        expect(Array.from(r.target)).toEqual(Array.from(ee));
      if (precond.name === 've') expect(Array.from(r.target)).toEqual(Array.from(ee, (e) => -e));
      if (precond.name === 'edm') {
        // (y − c_skip x)/c_out from its definition
        r.target.forEach((t, i) => {
          const s = sigmaGrid[Math.floor(i / per)]!;
          const x = yy[i]! + s * ee[i]!;
          const want = (yy[i]! - precond.cSkip(s) * x) / precond.cOut(s);
          expect(Math.abs(t - want)).toBeLessThan(1e-12 * (1 + Math.abs(want)) * (1 + 1 / s));
        });
      }
    }
  });

  it('with drawn σ and ε both losses see the same draws', () => {
    const F = linearF(per);
    const common = {
      ops: arrayOps,
      y: yy,
      distribution: logNormal(),
      weighting: edmWeighting(),
    } as const;
    const d = denoisingLoss({
      ...common,
      denoiser: preconditionBatch(F, edmPrecond(), arrayOps),
      rngs: sampleRngs(9, batch),
    });
    const f = denoisingLossF({ ...common, F, precond: edmPrecond(), rngs: sampleRngs(9, batch) });
    expect(Array.from(f.sigma)).toEqual(Array.from(d.sigma));
    d.loss.forEach((l, i) => expect(f.loss[i]).toBeCloseTo(l, 13));
  });
});

describe('sync / async and disposal', () => {
  it('an async denoiser gives a promise of the same result', async () => {
    const base = { ops: arrayOps, y, weighting: edmWeighting(), sigma, noise: eps } as const;
    const F = linearF(2);
    const sync = denoisingLoss({ ...base, denoiser: preconditionBatch(F, edmPrecond(), arrayOps) });
    const pending = denoisingLoss({
      ...base,
      denoiser: (x: Float64Array, s: Float64Array) =>
        Promise.resolve(preconditionBatch(F, edmPrecond(), arrayOps)(x, s)),
    });
    expect(pending).toBeInstanceOf(Promise);
    expect(Array.from((await pending).loss)).toEqual(Array.from(sync.loss));
    const asyncF: BatchRawNetwork<Float64Array> = (xIn, c) => Promise.resolve(F(xIn, c));
    const pendingF = denoisingLossF({ ...base, F: asyncF, precond: edmPrecond() });
    expect(pendingF).toBeInstanceOf(Promise);
    const syncF = denoisingLossF({ ...base, F, precond: edmPrecond() });
    expect(Array.from((await pendingF).loss)).toEqual(Array.from(syncF.loss));
  });

  it('only the results stay live, also on errors', async () => {
    const rngs = (): Rng[] => sampleRngs(4, 2);
    const ops = countingOps();
    const r = denoisingLoss({
      ops,
      denoiser: preconditionBatch(linearF(2), edmPrecond(), ops),
      y,
      rngs: rngs(),
      distribution: logNormal(),
      weighting: edmWeighting(),
    });
    expect([...ops.live]).toEqual([r.loss]);

    const opsF = countingOps();
    const rf = denoisingLossF({
      ops: opsF,
      F: linearF(2),
      precond: vpPrecond(),
      y,
      rngs: rngs(),
      distribution: vpNoise(),
      weighting: inverseSquare(),
    });
    expect(new Set(opsF.live)).toEqual(new Set([rf.loss, rf.target]));

    const ops2 = countingOps();
    expect(() =>
      denoisingLoss({
        ops: ops2,
        denoiser: () => {
          throw new Error('boom');
        },
        y,
        rngs: rngs(),
        distribution: logNormal(),
        weighting: edmWeighting(),
      }),
    ).toThrow('boom');
    expect(ops2.live.size).toBe(0);

    const ops3 = countingOps();
    await expect(
      denoisingLossF({
        ops: ops3,
        F: () => Promise.reject(new Error('later')),
        precond: edmPrecond(),
        y,
        rngs: rngs(),
        distribution: logNormal(),
        weighting: edmWeighting(),
      }),
    ).rejects.toThrow('later');
    expect(ops3.live.size).toBe(0);

    // A denoiser returning its input, or an F returning its input, is released once.
    const ops4 = countingOps();
    const r4 = denoisingLoss({
      ops: ops4,
      denoiser: (x: Float64Array) => x,
      y,
      weighting: inverseSquare(),
      sigma,
      noise: eps,
    });
    expect([...ops4.live]).toEqual([r4.loss]);
    const ops5 = countingOps();
    const r5 = denoisingLossF({
      ops: ops5,
      F: (xIn: Float64Array) => xIn,
      precond: edmPrecond(),
      y,
      weighting: edmWeighting(),
      sigma,
      noise: eps,
    });
    expect(new Set(ops5.live)).toEqual(new Set([r5.loss, r5.target]));
  });
});

describe('validation', () => {
  const D = (x: Float64Array) => x;
  const base = { ops: arrayOps, denoiser: D, y, weighting: edmWeighting() } as const;

  it('names the missing or invalid parameter', () => {
    expect(() => denoisingLoss({ ...base, rngs: sampleRngs(0, 2) })).toThrow(
      /^distribution must be a NoiseDistribution/,
    );
    expect(() => denoisingLoss({ ...base, distribution: logNormal() })).toThrow(
      /^rngs must be a non-empty array of Rng/,
    );
    expect(() => denoisingLoss({ ...base, sigma })).toThrow(/^rngs must be/); // noise still to draw
    expect(() => denoisingLoss({ ...base, sigma, rngs: sampleRngs(0, 3) })).toThrow(
      /^rngs must be one Rng per sample \(2\)/,
    );
    expect(() => denoisingLoss({ ...base, sigma: new Float64Array([1, 0]), noise: eps })).toThrow(
      /^sigma\[1\] must be a finite number > 0/,
    );
    expect(() =>
      denoisingLoss({ ...base, sigma: [1, 2] as unknown as Float64Array, noise: eps }),
    ).toThrow(/^sigma must be a non-empty Float64Array/);
    expect(() =>
      denoisingLoss({
        ...base,
        weighting: undefined as unknown as LossWeighting,
        sigma,
        noise: eps,
      }),
    ).toThrow(/^weighting must be a LossWeighting/);
    expect(() =>
      denoisingLoss({
        ...base,
        weighting: { name: 'nan', weight: () => Number.NaN },
        sigma,
        noise: eps,
      }),
    ).toThrow(/^weighting.weight\(sigma\[0\]\) must be a finite number >= 0/);
    expect(() =>
      denoisingLoss({
        ...base,
        rngs: sampleRngs(0, 2),
        distribution: { name: 'short', sample: () => new Float64Array([1]) },
      }),
    ).toThrow(/^rngs must be one Rng per sample \(1\)/);
    expect(() =>
      denoisingLoss({
        ...base,
        rngs: sampleRngs(0, 2),
        distribution: { name: 'neg', sample: () => new Float64Array([1, -1]) },
      }),
    ).toThrow(/^distribution.sample\(rngs\)\[1\] must be a finite number > 0/);
    expect(() =>
      denoisingLoss({ ...base, denoiser: undefined as unknown as typeof D, sigma, noise: eps }),
    ).toThrow(/^denoiser must be a function/);
    expect(() =>
      denoisingLoss({ ...base, y: undefined as unknown as Float64Array, sigma, noise: eps }),
    ).toThrow(/^y must be a tensor/);
    expect(() =>
      denoisingLoss({ ...base, sigma: new Float64Array([1, 1, 1]), noise: eps }),
    ).toThrow(ParameterError); // 3 ∤ 4
  });

  it('denoisingLossF: F, precond, and a σ with c_out = 0', () => {
    const fBase = { ops: arrayOps, y, weighting: edmWeighting(), sigma, noise: eps } as const;
    expect(() =>
      denoisingLossF({
        ...fBase,
        F: null as unknown as BatchRawNetwork<Float64Array>,
        precond: edmPrecond(),
      }),
    ).toThrow(/^F must be a function/);
    expect(() =>
      denoisingLossF({ ...fBase, F: linearF(2), precond: {} as Preconditioner }),
    ).toThrow(/^precond must be a Preconditioner/);
    const zeroOut: Preconditioner = { ...edmPrecond(), cOut: () => 0 };
    expect(() => denoisingLossF({ ...fBase, F: linearF(2), precond: zeroOut })).toThrow(
      /^sigma\[0\] must be a noise level with a finite, non-zero c_out/,
    );
  });
});

describe('denoisingLoss refuses a faulty denoiser output', () => {
  it('NaN, undefined or the wrong length is a DenoiserError naming σ', async () => {
    const faults: [(x: Float64Array) => unknown, RegExp][] = [
      [(x) => x.map((v, i) => (i === 1 ? NaN : v)), /non-finite values \(NaN at index 1\)/],
      [() => undefined, /returned undefined/],
      [(x) => x.subarray(0, 3), /3 values instead of 4/],
    ];
    for (const [fault, message] of faults) {
      const run = () =>
        denoisingLoss({
          ops: arrayOps,
          denoiser: (x) => fault(x) as Float64Array,
          y,
          weighting: edmWeighting(),
          sigma,
          noise: eps,
        });
      expect(run).toThrow(DenoiserError);
      expect(run).toThrow(message);
      expect(run).toThrow(/\(sigma = 0\.5\)/);
      await expect(
        denoisingLoss({
          ops: arrayOps,
          denoiser: (x) => Promise.resolve(fault(x) as Float64Array),
          y,
          weighting: edmWeighting(),
          sigma,
          noise: eps,
        }),
      ).rejects.toThrow(message);
    }
  });
});
