import { ValidationFailed } from '../errors.js';

export interface PageRequest {
  /** 1-based page number. */
  readonly page: number;
  /** Items per page, 1 to MAX_PAGE_SIZE. */
  readonly pageSize: number;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly total: number;
  readonly page: number;
  readonly pageSize: number;
  readonly totalPages: number;
}

/** A slice of rows and the count of all rows matching the same filter. */
export interface Slice<T> {
  readonly items: readonly T[];
  readonly total: number;
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export function pageRequest(page = 1, pageSize = DEFAULT_PAGE_SIZE): PageRequest {
  const errors = [];
  if (!Number.isSafeInteger(page) || page < 1) errors.push({ field: 'page', message: 'must be an integer ≥ 1' });
  if (!Number.isSafeInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    errors.push({ field: 'page_size', message: `must be an integer from 1 to ${MAX_PAGE_SIZE}` });
  }
  if (errors.length > 0) throw new ValidationFailed(errors);
  return { page, pageSize };
}

export function toPage<T>(slice: Slice<T>, request: PageRequest): Page<T> {
  return {
    items: slice.items,
    total: slice.total,
    page: request.page,
    pageSize: request.pageSize,
    totalPages: Math.ceil(slice.total / request.pageSize),
  };
}
