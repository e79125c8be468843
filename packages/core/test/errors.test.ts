import { describe, expect, it } from 'vitest';
import { DenoiserError, EdmkitError, ParameterError, UnknownNameError } from '@edmkit/core';

describe('error classes', () => {
  it('carry their names, fields and a base class to catch', () => {
    const p = new ParameterError('rho', 'a finite number > 0', -1);
    expect([p.name, p.parameter, p.allowed, p.value]).toEqual([
      'ParameterError',
      'rho',
      'a finite number > 0',
      -1,
    ]);
    expect(p.message).toBe('rho must be a finite number > 0 (got -1)');
    const u = new UnknownNameError('solver', 'rk4', ['euler', 'heun']);
    expect([u.name, u.parameter, u.value, u.known]).toEqual([
      'UnknownNameError',
      'solver',
      'rk4',
      ['euler', 'heun'],
    ]);
    const d = new DenoiserError('nothing', 2.5, 3);
    expect([d.name, d.problem, d.sigma, d.step]).toEqual(['DenoiserError', 'nothing', 2.5, 3]);
    expect(d.message).toBe('the denoiser returned nothing at step 3 (sigma = 2.5)');
    const loss = new DenoiserError('NaN', 0.1);
    expect(loss.step).toBeUndefined();
    expect(loss.message).toBe('the denoiser returned NaN (sigma = 0.1)');
    for (const e of [p, u, d]) {
      expect(e).toBeInstanceOf(EdmkitError);
      expect(e).toBeInstanceOf(Error);
    }
    expect(new EdmkitError('x').name).toBe('EdmkitError');
  });

  it('formats the refused value by its kind', () => {
    const got = (value: unknown) =>
      new ParameterError('p', 'ok', value).message.slice('p must be ok '.length);
    expect(got('text')).toBe('(got "text")');
    expect(got(true)).toBe('(got true)');
    expect(got(null)).toBe('(got null)');
    expect(got(undefined)).toBe('(got undefined)');
    expect(got(Number.NEGATIVE_INFINITY)).toBe('(got -Infinity)');
    expect(got(new Float32Array(7))).toBe('(got Float32Array(7))');
    expect(got({ a: [1, 2] })).toBe('(got {"a":[1,2]})');
    const long = { key: 'x'.repeat(100) };
    expect(got(long)).toBe(`(got ${JSON.stringify(long).slice(0, 77)}...)`);
    const exactly80 = ['y'.repeat(76)]; // JSON: ["yyy…"] is 80 characters, kept whole
    expect(got(exactly80)).toBe(`(got ${JSON.stringify(exactly80)})`);
    const circular: { self?: unknown } = {};
    circular.self = circular;
    expect(got(circular)).toBe('(got [object Object])');
  });
});
