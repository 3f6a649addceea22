import { ValidationFailed, type FieldError } from '../errors.js';
import { characterCount, hasLoneSurrogate } from '../shared/text.js';
import type { Timestamp } from '../shared/timestamp.js';

export interface User {
  readonly id: string;
  /** Trimmed and lower-cased: the one form stored and compared. */
  readonly email: string;
  readonly fullName: string;
  readonly passwordHash: string;
  readonly createdAt: Timestamp;
}

/** What may leave the domain about a user: never the password hash. */
export type UserProfile = Omit<User, 'passwordHash'>;

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

// No whitespace and no control characters (a database cannot store U+0000 in text).
// eslint-disable-next-line no-control-regex
const EMAIL = /^[^\s@\u0000-\u001f\u007f]+@[^\s@\u0000-\u001f\u007f]+\.[^\s@\u0000-\u001f\u007f]+$/;

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function emailError(email: string): FieldError | undefined {
  if (email.length > 254 || !EMAIL.test(email) || hasLoneSurrogate(email)) return { field: 'email', message: 'must be a valid email address' };
  return undefined;
}

/** Length is counted in characters (code points), not UTF-16 units. */
export function passwordError(password: string): FieldError | undefined {
  const length = characterCount(password);
  if (length < PASSWORD_MIN_LENGTH || length > PASSWORD_MAX_LENGTH) {
    return { field: 'password', message: `must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters long` };
  }
  if (hasLoneSurrogate(password)) return { field: 'password', message: 'must be well-formed Unicode text' };
  return undefined;
}

export function fullNameError(fullName: string): FieldError | undefined {
  const length = characterCount(fullName.trim());
  if (length < 1 || length > 255) return { field: 'full_name', message: 'must be 1 to 255 characters long' };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(fullName)) return { field: 'full_name', message: 'must not contain control characters' };
  if (hasLoneSurrogate(fullName)) return { field: 'full_name', message: 'must be well-formed Unicode text' };
  return undefined;
}

export function throwIfInvalid(errors: readonly (FieldError | undefined)[]): void {
  const found = errors.filter((e): e is FieldError => e !== undefined);
  if (found.length > 0) throw new ValidationFailed(found);
}

/** Built field by field: a field added to User must be listed here to compile, so none leaves by default. */
export function toProfile(user: User): UserProfile {
  return { id: user.id, email: user.email, fullName: user.fullName, createdAt: user.createdAt };
}
