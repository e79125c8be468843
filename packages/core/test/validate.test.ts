import { describe, expect, it } from 'vitest';
import {
  checkNumber,
  checkOneOf,
  checkOrdered,
  checkPositive,
  ParameterError,
  UnknownNameError,
} from '@edmkit/core';

describe('validators', () => {
  it('checkPositive names the parameter and range', () => {
    expect(checkPositive('rho', 7)).toBe(7);
    expect(() => checkPositive('rho', 0)).toThrow('rho must be a finite number > 0 (got 0)');
    expect(() => checkPositive('sigma', Number.NaN)).toThrow(
      'sigma must be a finite number > 0 (got NaN)',
    );
    expect(() => checkPositive('sigma', Infinity)).toThrow(ParameterError);
  });

  it('checkNumber handles open and closed bounds', () => {
    expect(checkNumber('alpha', 1, { min: 0, minInclusive: false, max: 1 })).toBe(1);
    expect(() => checkNumber('alpha', 0, { min: 0, minInclusive: false, max: 1 })).toThrow(
      'alpha must be a finite number > 0 and <= 1 (got 0)',
    );
    expect(checkNumber('sigmaMax', Infinity, { min: 0, allowInfinity: true })).toBe(Infinity);
    expect(() => checkNumber('n', 2.5, { min: 1, integer: true })).toThrow(
      'n must be an integer >= 1 (got 2.5)',
    );
  });

  it('checkOneOf lists the known names', () => {
    expect(checkOneOf('solver', 'heun', ['euler', 'heun'])).toBe('heun');
    expect(() => checkOneOf('solver', 'rk4', ['euler', 'heun'])).toThrow(UnknownNameError);
    expect(() => checkOneOf('solver', 'rk4', ['euler', 'heun'])).toThrow(
      'unknown solver "rk4"; expected one of: euler, heun',
    );
  });

  it('checkOrdered refuses sigmaMin >= sigmaMax', () => {
    expect(() => checkOrdered('sigmaMin', 80, 'sigmaMax', 0.002)).toThrow(
      'sigmaMax must be a number > sigmaMin = 80 (got 0.002)',
    );
  });
});
