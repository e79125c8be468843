/**
 * Internal: piecewise Chebyshev interpolation of a function on [0, T] with exact
 * integration of the interpolant, for {@link fromSde}. Not exported from the package.
 */

/** Gauss–Legendre nodes and weights on [−1, 1] (Newton on P_m). */
function gaussLegendre(m: number): { x: Float64Array; w: Float64Array } {
  const x = new Float64Array(m);
  const w = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let z = Math.cos((Math.PI * (i + 0.75)) / (m + 0.5));
    let dp = 0;
    for (let it = 0; it < 100; it++) {
      let p0 = 1;
      let p1 = z;
      for (let k = 2; k <= m; k++) {
        const p2 = ((2 * k - 1) * z * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      // p1 = P_m(z), p0 = P_{m−1}(z)
      dp = (m * (z * p1 - p0)) / (z * z - 1);
      const dz = p1 / dp;
      z -= dz;
      if (Math.abs(dz) <= 1e-16) break;
    }
    x[i] = z;
    w[i] = 2 / ((1 - z * z) * dp * dp);
  }
  return { x, w };
}

/** A piecewise polynomial interpolant p of a function, with ∫₀ᵗ p and its inverse. */
export interface PiecewiseIntegral {
  /** Right end T of the interval. */
  readonly tMax: number;
  /** ∫₀^T p. */
  readonly total: number;
  /** p(t), the interpolant of the function. */
  value(t: number): number;
  /** ∫₀ᵗ p for t in [0, T]. */
  integral(t: number): number;
  /** The t in [0, T] with ∫₀ᵗ p = target, for a non-negative p and target in [0, total]. */
  invert(target: number): number;
}

/** Panel breaks: `panels` uniform panels on [0, T], the first one graded geometrically towards 0. */
export function gradedBreaks(tMax: number, panels: number, grading = 30): Float64Array {
  const breaks: number[] = [0];
  const first = tMax / panels;
  for (let k = grading; k >= 1; k--) breaks.push(first * 2 ** -k);
  for (let k = 1; k <= panels; k++) breaks.push(k === panels ? tMax : (tMax * k) / panels);
  return Float64Array.from(breaks);
}

/**
 * Interpolates `fn` on every panel [b_k, b_{k+1}] at `degree` Chebyshev points of the
 * first kind (never at the panel ends) and integrates the interpolant exactly.
 * `onValue` sees every sampled value (for validation).
 */
export function piecewiseIntegral(
  fn: (t: number) => number,
  breaks: Float64Array,
  degree: number,
  onValue: (value: number, t: number) => void,
): PiecewiseIntegral {
  const n = degree;
  const panels = breaks.length - 1;
  const coef = new Float64Array(panels * n);
  const cum = new Float64Array(panels + 1);
  const cosTable = new Float64Array(n * n);
  for (let j = 0; j < n; j++)
    for (let k = 0; k < n; k++) cosTable[j * n + k] = Math.cos((Math.PI * j * (k + 0.5)) / n);
  const values = new Float64Array(n);
  for (let p = 0; p < panels; p++) {
    const a = breaks[p]!;
    const b = breaks[p + 1]!;
    const mid = 0.5 * (a + b);
    const half = 0.5 * (b - a);
    for (let k = 0; k < n; k++) {
      const t = mid + half * Math.cos((Math.PI * (k + 0.5)) / n);
      const v = fn(t);
      onValue(v, t);
      values[k] = v;
    }
    let integral = 0;
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += values[k]! * cosTable[j * n + k]!;
      const c = ((j === 0 ? 1 : 2) / n) * s;
      coef[p * n + j] = c;
      if (j % 2 === 0) integral += (c * 2) / (1 - j * j); // ∫₋₁¹ T_j = 2/(1 − j²), j even
    }
    cum[p + 1] = cum[p]! + half * integral;
  }
  const tMax = breaks[panels]!;
  const gl = gaussLegendre(Math.ceil(n / 2) + 1);

  function panelOf(t: number): number {
    let lo = 0;
    let hi = panels - 1;
    while (lo < hi) {
      const m = (lo + hi + 1) >> 1;
      if (breaks[m]! <= t) lo = m;
      else hi = m - 1;
    }
    return lo;
  }

  function evalPanel(p: number, t: number): number {
    const a = breaks[p]!;
    const b = breaks[p + 1]!;
    const x = (2 * t - a - b) / (b - a);
    let b1 = 0;
    let b2 = 0;
    for (let j = n - 1; j >= 1; j--) {
      const b0 = 2 * x * b1 - b2 + coef[p * n + j]!;
      b2 = b1;
      b1 = b0;
    }
    return x * b1 - b2 + coef[p * n]!;
  }

  /** ∫ from the start of panel p to t of the interpolant: Gauss–Legendre, exact for its degree. */
  function partial(p: number, t: number): number {
    const a = breaks[p]!;
    const mid = 0.5 * (a + t);
    const half = 0.5 * (t - a);
    if (half === 0) return 0;
    let s = 0;
    for (let i = 0; i < gl.x.length; i++) s += gl.w[i]! * evalPanel(p, mid + half * gl.x[i]!);
    return half * s;
  }

  const integral = (t: number): number => {
    const p = panelOf(t);
    return cum[p]! + partial(p, t);
  };

  return {
    tMax,
    total: cum[panels]!,
    value: (t: number): number => evalPanel(panelOf(t), t),
    integral,
    invert(target: number): number {
      if (target <= 0) return 0;
      if (target >= cum[panels]!) return tMax;
      // The panel whose cumulative range holds the target.
      let lo = 0;
      let hi = panels - 1;
      while (lo < hi) {
        const m = (lo + hi + 1) >> 1;
        if (cum[m]! <= target) lo = m;
        else hi = m - 1;
      }
      const p = lo;
      const rest = target - cum[p]!;
      let left = breaks[p]!;
      let right = breaks[p + 1]!;
      const span = cum[p + 1]! - cum[p]!;
      // Safeguarded Newton: keep a bracket [left, right] and bisect whenever Newton leaves it.
      let t = span > 0 ? left + (right - left) * (rest / span) : 0.5 * (left + right);
      for (let it = 0; it < 200; it++) {
        const phi = partial(p, t) - rest;
        if (phi === 0) return t;
        if (phi < 0) left = t;
        else right = t;
        const d = evalPanel(p, t);
        let next = d > 0 ? t - phi / d : NaN;
        if (!(next > left && next < right)) next = 0.5 * (left + right);
        if (
          Math.abs(next - t) <= 2 * Number.EPSILON * Math.abs(next) ||
          right - left <= 2 * Number.EPSILON * right
        ) {
          return next;
        }
        t = next;
      }
      return t;
    },
  };
}
