import { describe, expect, it } from 'vitest';
import {
  checkInteger,
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

  it('checkNumber: exclusive max, infinities, non-numbers and the description of each bound', () => {
    expect(checkNumber('p', 0.5, { max: 1, maxInclusive: false })).toBe(0.5);
    expect(() => checkNumber('p', 1, { max: 1, maxInclusive: false })).toThrow(
      'p must be a finite number < 1 (got 1)',
    );
    expect(checkNumber('p', 1, { max: 1 })).toBe(1);
    expect(() => checkNumber('p', 1.5, { max: 1 })).toThrow('p must be a finite number <= 1');
    expect(checkNumber('p', 0, { min: 0 })).toBe(0);
    expect(() => checkNumber('p', -1e-300, { min: 0 })).toThrow('p must be a finite number >= 0');
    expect(() => checkNumber('p', -Infinity, { allowInfinity: true })).toThrow(
      'p must be a number (got -Infinity)',
    );
    expect(() => checkNumber('p', Infinity)).toThrow('p must be a finite number (got Infinity)');
    expect(() => checkNumber('p', '3')).toThrow('p must be a finite number (got "3")');
    expect(() => checkNumber('p', 5, { min: 0, max: 4, integer: true })).toThrow(
      'p must be an integer >= 0 and <= 4 (got 5)',
    );
    expect(checkNumber('p', 4, { min: 0, max: 4, integer: true })).toBe(4);
  });

  it('checkInteger defaults to >= 0 and takes its own minimum', () => {
    expect(checkInteger('n', 0)).toBe(0);
    expect(() => checkInteger('n', -1)).toThrow('n must be an integer >= 0 (got -1)');
    expect(() => checkInteger('n', 2, 3)).toThrow('n must be an integer >= 3 (got 2)');
    expect(() => checkInteger('n', 3.5, 3)).toThrow(ParameterError);
  });

  it('checkOneOf refuses a non-string and checkOrdered refuses equal values', () => {
    expect(() => checkOneOf('solver', 3, ['3'])).toThrow('unknown solver "3"');
    expect(() => checkOrdered('lo', 1, 'hi', 1)).toThrow('hi must be a number > lo = 1 (got 1)');
    expect(() => checkOrdered('lo', 1, 'hi', Number.NaN)).toThrow(/^hi/);
    expect(() => checkOrdered('lo', 1, 'hi', 1 + 2 ** -52)).not.toThrow();
  });
});
