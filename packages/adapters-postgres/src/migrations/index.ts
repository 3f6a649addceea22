import type { Migration } from 'kysely';
import * as initial from './2026-11-25-0001-initial.js';
import * as dropUnusedIndexes from './2026-11-26-0001-drop-unused-indexes.js';
import * as outbox from './2026-12-07-0001-outbox.js';

/**
 * Every migration, by name (names sort in the order they run). A static list rather than a folder
 * scan, so the same code works from the TypeScript sources and from dist.
 */
export const migrations: Record<string, Migration> = {
  '2026-11-25-0001-initial': initial,
  '2026-11-26-0001-drop-unused-indexes': dropUnusedIndexes,
  '2026-12-07-0001-outbox': outbox,
};
