// Bounded text for messages a person reads: an input may hold a 9,000-character name or 500
// wrong keys, and a notice that repeats them in full is a wall, not a sentence.

/** `s` cut to at most `max` characters, marking the cut with "…". */
export function clip(s: string, max = 80): string {
  return s.length <= max ? s : `${s.slice(0, Math.max(1, max - 1))}…`;
}

/** The first `limit` items, each clipped, then "and N more" for the rest. */
export function listed(items: readonly string[], limit = 5, joiner = '; ', itemMax = 160): string {
  const shown = items.slice(0, limit).map((s) => clip(s, itemMax));
  const rest = items.length - shown.length;
  return rest > 0 ? `${shown.join(joiner)}${joiner}and ${rest} more` : shown.join(joiner);
}
