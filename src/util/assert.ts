// Small runtime checks that state an invariant and name it when it breaks.

export class AssertionError extends Error {
  override name = 'AssertionError';
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}

/** Throws unless `n` is a non-negative integer; returns it for inline use. */
export function assertCount(n: number, what: string): number {
  assert(Number.isInteger(n) && n >= 0, `${what} must be a non-negative integer, got ${n}`);
  return n;
}
