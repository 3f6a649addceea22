/**
 * A lone UTF-16 surrogate (half of a pair) is not a character: UTF-8, and so PostgreSQL, cannot
 * hold it, and the driver would silently store U+FFFD instead. Text that could not be stored as it
 * was sent is refused rather than altered (and two passwords differing only there would hash alike).
 */
export function hasLoneSurrogate(text: string): boolean {
  return /[\uD800-\uDFFF]/u.test(text);
}
