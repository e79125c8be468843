import { describe, expect, it } from 'vitest';
import {
  edm,
  resolveTraining,
  samplerAblation,
  table1Markdown,
  table2,
  table2Configs,
  trainingPreset,
  validateSamplerConfig,
  vpOriginal,
} from '@edmkit/presets';
import type { SamplerConfig, TrainingConfig } from '@edmkit/presets';

const ok: SamplerConfig = edm;
const bad = (patch: Record<string, unknown>) => () => validateSamplerConfig({ ...ok, ...patch });

describe('validateSamplerConfig names each refused axis and its range', () => {
  it('refuses a non-object and a label that is not a string', () => {
    expect(() => validateSamplerConfig(null as never)).toThrow(
      'config must be a SamplerConfig object (got null)',
    );
    expect(() => validateSamplerConfig('edm' as never)).toThrow(/^config must be a SamplerConfig/);
    expect(bad({ label: 3 })).toThrow('label must be a string (got 3)');
  });

  it('refuses unknown names per axis', () => {
    expect(bad({ network: 'x' })).toThrow(/^unknown network "x"/);
    expect(bad({ discretization: 'x' })).toThrow(/^unknown discretization "x"/);
    expect(bad({ scaling: 'x' })).toThrow(/^unknown scaling "x"/);
  });

  it('α in (0, 1], fixed for Heun and midpoint, absent for Euler', () => {
    expect(validateSamplerConfig({ ...ok, solver: 'second-order', alpha: 1 }).alpha).toBe(1);
    expect(bad({ solver: 'second-order', alpha: 0 })).toThrow(
      'alpha must be a finite number > 0 and <= 1 (got 0)',
    );
    expect(bad({ solver: 'second-order', alpha: 1.5 })).toThrow(
      /^alpha must be a finite number > 0/,
    );
    expect(validateSamplerConfig({ ...ok, solver: 'heun', alpha: 1 }).alpha).toBe(1);
    expect(bad({ solver: 'heun', alpha: 0.5 })).toThrow(
      "alpha must be 1 with solver 'heun' (use solver 'second-order' for another α) (got 0.5)",
    );
    expect(validateSamplerConfig({ ...ok, solver: 'midpoint', alpha: 0.5 }).alpha).toBe(0.5);
    expect(bad({ solver: 'midpoint', alpha: 1 })).toThrow(
      /^alpha must be 0.5 with solver 'midpoint'/,
    );
    expect(bad({ solver: 'euler', alpha: 1 })).toThrow(/^alpha must be absent with solver 'euler'/);
  });

  it('σ range positive and ordered, ε_s in (0, 1), churn checked', () => {
    expect(bad({ sigmaMin: 0 })).toThrow('sigmaMin must be a finite number > 0 (got 0)');
    expect(bad({ sigmaMax: -1 })).toThrow('sigmaMax must be a finite number > 0 (got -1)');
    expect(bad({ sigmaMin: 2, sigmaMax: 2 })).toThrow(
      'sigmaMax must be a number > sigmaMin = 2 (got 2)',
    );
    expect(validateSamplerConfig({ ...ok, sigmaMin: 1, sigmaMax: 2 }).sigmaMax).toBe(2);
    expect(bad({ epsilonS: 0 })).toThrow('epsilonS must be a finite number > 0 and < 1 (got 0)');
    expect(bad({ epsilonS: 1 })).toThrow(/^epsilonS must be/);
    expect(validateSamplerConfig({ ...ok, epsilonS: 0.5 }).epsilonS).toBe(0.5);
    expect(bad({ churn: { sChurn: -1 } })).toThrow(/sChurn/);
  });
});

describe('labels a reader sees', () => {
  it('Fig. 2 chains carry the family name; iDDPM has no σ(t)/s(t) step', () => {
    expect(samplerAblation('vp').map((c) => c.label)).toEqual([
      vpOriginal.label,
      'VP + Heun & EDM t_i',
      'VP + EDM σ(t) & s(t)',
    ]);
    expect(
      samplerAblation('ve')
        .map((c) => c.label)
        .slice(1),
    ).toEqual(['VE + Heun & EDM t_i', 'VE + EDM σ(t) & s(t)']);
    expect(
      samplerAblation('iddpm')
        .map((c) => c.label)
        .slice(1),
    ).toEqual(['iDDPM + Heun & EDM t_i']);
  });

  it('Table 2 rows A–F and their reasons', () => {
    const labels = table2Configs('vp');
    expect([
      labels.B.label,
      labels.C.label,
      labels.D.label,
      labels.E.label,
      labels.F.label,
    ]).toEqual([
      'B: + adjusted hyperparameters',
      'C: + redistributed capacity',
      'D: + EDM preconditioning',
      'E: + EDM loss function',
      'F: + non-leaky augmentation',
    ]);
    expect(labels.E.pMean).toBe(-1.2);
    const quick = table2('vp', 'quick').find((r) => r.id === 'C')!;
    const full = table2('vp', 'full').find((r) => r.id === 'C')!;
    expect(quick.notReproducible).toMatch(/quick mode trains resolution-free MLPs/);
    expect(full.notReproducible).toMatch(/no 4×4 level/);
  });

  it('Table 1 as markdown: header, separator, escaped pipes, final newline', () => {
    const md = table1Markdown();
    const lines = md.split('\n');
    expect(lines[0]).toBe('| | VP | VE | iDDPM + DDIM | EDM |');
    expect(lines[1]).toBe('|---|---|---|---|---|');
    expect(md.endsWith('|\n')).toBe(true);
    for (const line of lines.slice(2, -1)) expect(line.split(/(?<!\\)\|/)).toHaveLength(7);
  });
});

describe('training resolution refuses what it cannot resolve', () => {
  const e = table2Configs('vp').E;
  it('names the field', () => {
    expect(() => resolveTraining(null as never)).toThrow(
      'config must be a TrainingConfig object (got null)',
    );
    expect(() => resolveTraining({ ...e, noise: 'x' } as unknown as TrainingConfig)).toThrow(
      /^unknown noise "x"/,
    );
    expect(() => resolveTraining({ ...e, weighting: 'x' } as unknown as TrainingConfig)).toThrow(
      /^unknown weighting "x"/,
    );
    expect(() => resolveTraining({ ...e, architecture: 'x' } as unknown as TrainingConfig)).toThrow(
      /^unknown architecture "x"/,
    );
    const noSigmaData = { ...e, sigmaData: undefined } as unknown as TrainingConfig;
    expect(() => resolveTraining(noSigmaData, 0)).toThrow(
      'sigmaData must be a finite number > 0 (got 0)',
    );
    expect(() => resolveTraining({ ...e, sigmaData: -1 })).toThrow(/^sigmaData/);
    expect(() => trainingPreset(undefined as never)).toThrow(/^options must be an object/);
    expect(() => trainingPreset('F' as never)).toThrow(/^options must be an object/);
  });

  it('takes P_mean and P_std from the row (E: −1.2, 1.2), others when given', () => {
    const r = resolveTraining(e);
    expect(r.distribution).toMatchObject({ pMean: -1.2, pStd: 1.2 });
    const other = resolveTraining({ ...e, pMean: -0.4, pStd: 1 });
    expect(other.distribution).toMatchObject({ pMean: -0.4, pStd: 1 });
  });
});
