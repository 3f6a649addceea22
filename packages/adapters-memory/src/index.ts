/** @banking/adapters-memory — the in-process adapters: what the API runs on without Redis, and a whole bank in memory. */
export { emptyState, type MemoryState } from './memory-state.js';
export { MemoryUnitOfWork } from './memory-unit-of-work.js';
export { MemoryCache } from './memory-cache.js';
export { NoReadCache } from './no-read-cache.js';
export { MemoryDenylist } from './memory-denylist.js';
export { MemoryRateLimitStore } from './memory-rate-limit-store.js';
export { SystemClock } from './system-clock.js';
export { UuidIds } from './uuid-ids.js';
export { CryptoRandomSource } from './crypto-random-source.js';
export { Sha256Digest } from './sha256-digest.js';
export { DEFAULT_SCRYPT_COST, ScryptHasher, type ScryptCost } from './scrypt-hasher.js';
