export { emptyState, type MemoryState } from './memory/memory-state.js';
export { MemoryUnitOfWork } from './memory/memory-unit-of-work.js';
export { MemoryCache } from './memory/memory-cache.js';
export { MemoryDenylist } from './memory/memory-denylist.js';
export { MemoryRateLimitStore } from './memory/memory-rate-limit-store.js';
export { CryptoRandom, FixedClock, PlainTextHasher, RandomIds, ScriptedRandom, Sha256Digest } from './memory/test-services.js';
export { memoryBanking, type BankingFixture, type MemoryBankingOverrides } from './banking-fixture.js';
export { aLedgerEntry, aRefreshToken, aSession, aTransfer, anAccount, anAccountNumber, anIdempotencyRecord, aUser } from './builders.js';
export * from './contracts/index.js';
