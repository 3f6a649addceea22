import { inspect } from 'node:util';

/**
 * One readable line for whatever was thrown: an Error's message (the first of an
 * AggregateError's), a thrown object's `message` or its inspection (PGlite's WASM runtime and
 * Emscripten's file system throw plain objects, which `String()` turns into "[object Object]"),
 * never a stack, never a line break.
 */
export function errorReason(error: unknown): string {
  let text: string;
  if (error instanceof AggregateError && error.errors.length > 0) return errorReason(error.errors[0]);
  if (error instanceof Error) text = error.message || error.name;
  else if (typeof error === 'object' && error !== null) {
    const { message, name } = error as { message?: unknown; name?: unknown };
    if (typeof message === 'string' && message !== '') text = typeof name === 'string' && name !== '' ? `${name}: ${message}` : message;
    else text = inspect(error, { depth: 2, breakLength: Infinity, compact: true });
  } else text = String(error);
  return text.replace(/\s*\n\s*/g, ' ').trim() || 'unknown error';
}
