/**
 * A lone UTF-16 surrogate (half of a pair) is not a character: UTF-8, and so PostgreSQL, cannot
 * hold it, and the driver would silently store U+FFFD instead. Text that could not be stored as it
 * was sent is refused rather than altered (and two passwords differing only there would hash alike).
 */
export function hasLoneSurrogate(text: string): boolean {
  return /[\uD800-\uDFFF]/u.test(text);
}

const SURROGATE_PAIR = /[\uD800-\uDBFF][\uDC00-\uDFFF]/g;

/**
 * Length in characters (Unicode code points), the unit the contract's limits count in: a
 * surrogate pair (an emoji, say) is one character, as it is for PostgreSQL once stored as UTF-8.
 */
export function characterCount(text: string): number {
  return text.length - (text.match(SURROGATE_PAIR)?.length ?? 0);
}
