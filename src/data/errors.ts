// The one error type of src/data: bad options, bad user points, malformed or stale dataset
// files. Its message names the problem (which option, which point, which file and byte count),
// so the UI can show it as-is and a test can match on it.

export class DataError extends Error {
  override name = 'DataError';
}

/** Throws a DataError with `message` unless `condition` holds. */
export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new DataError(message);
}

/** Checks that `v` is an integer in [lo, hi] and returns it. */
export function checkInt(v: number, lo: number, hi: number, what: string): number {
  check(Number.isInteger(v) && v >= lo && v <= hi, `${what} must be an integer in [${lo}, ${hi}], got ${v}`);
  return v;
}

/** Checks that `v` is a finite number in [lo, hi] and returns it. */
export function checkRange(v: number, lo: number, hi: number, what: string): number {
  check(Number.isFinite(v) && v >= lo && v <= hi, `${what} must be a number in [${lo}, ${hi}], got ${v}`);
  return v;
}
