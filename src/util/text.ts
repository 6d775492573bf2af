// Bounded text for messages a person reads: an input may hold a 9,000-character name or 500
// wrong keys, and a notice that repeats them in full is a wall, not a sentence.

/** `s` cut to at most `max` characters, marking the cut with "…". */
export function clip(s: string, max = 80): string {
  return s.length <= max ? s : `${s.slice(0, Math.max(1, max - 1))}…`;
}

/** The first `limit` items, each clipped to `itemMax`, and how many were left out. */
export function firstOf(items: readonly string[], limit: number, itemMax: number): { shown: string[]; more: number } {
  const shown = items.slice(0, limit).map((s) => clip(s, itemMax));
  return { shown, more: items.length - shown.length };
}

/** The first `limit` items, each clipped, then "and N more" for the rest, as one line. */
export function listed(items: readonly string[], limit = 5, joiner = '; ', itemMax = 160): string {
  const { shown, more } = firstOf(items, limit, itemMax);
  return more > 0 ? `${shown.join(joiner)}${joiner}and ${more} more` : shown.join(joiner);
}
