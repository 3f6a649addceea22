import { ValidationFailed } from '../errors.js';
import { characterCount, hasLoneSurrogate } from '../shared/text.js';
import { DESCRIPTION_MAX_LENGTH } from './ledger-entry.js';

/** A movement's optional free text: at most 255 characters, no control characters; "" → null. */
export function parseDescription(description: string | null | undefined): string | null {
  if (description === undefined || description === null || description === '') return null;
  if (characterCount(description) > DESCRIPTION_MAX_LENGTH) {
    throw ValidationFailed.field('description', `must be at most ${DESCRIPTION_MAX_LENGTH} characters long`);
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(description)) {
    throw ValidationFailed.field('description', 'must not contain control characters');
  }
  if (hasLoneSurrogate(description)) throw ValidationFailed.field('description', 'must be well-formed Unicode text');
  return description;
}
