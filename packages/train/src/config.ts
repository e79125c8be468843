/**
 * The JSON description of a design-choice object (preconditioner, noise
 * distribution, weighting…): its `name` and every own property whose value is a
 * number, string, boolean or null. Functions and arrays are left out. Non-finite
 * numbers are kept as strings ("Infinity") so that JSON does not turn them into null.
 */
export function describe(choice: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (choice == null || typeof choice !== 'object') return out;
  for (const [key, value] of Object.entries(choice)) {
    if (typeof value === 'number') out[key] = Number.isFinite(value) ? value : String(value);
    else if (typeof value === 'string' || typeof value === 'boolean' || value === null)
      out[key] = value;
  }
  return out;
}

/** Round-trips `value` through JSON (what a checkpoint will hold). */
export function jsonClone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * The first difference between two JSON values, as `path: saved → current`, or
 * undefined when they are equal. Object key order does not matter.
 */
export function firstDifference(saved: unknown, current: unknown, at = ''): string | undefined {
  if (saved === current) return undefined;
  const bothObjects =
    saved !== null && current !== null && typeof saved === 'object' && typeof current === 'object';
  if (bothObjects && Array.isArray(saved) === Array.isArray(current)) {
    const a = saved as Record<string, unknown>;
    const b = current as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const key of keys) {
      const d = firstDifference(a[key], b[key], at === '' ? key : `${at}.${key}`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  return `${at === '' ? '(root)' : at}: saved ${JSON.stringify(saved) ?? 'nothing'}, now ${JSON.stringify(current) ?? 'nothing'}`;
}
