export { FixedClock, PlainTextHasher, ScriptedRandom } from './test-doubles.js';
export { bankOn, memoryBanking, memoryState, type BankingFixture, type MemoryBankingOverrides } from './banking-fixture.js';
export { aLedgerEntry, aRefreshToken, aSession, aTransfer, anAccount, anAccountNumber, anIdempotencyRecord, aUser } from './builders.js';
export * from './contracts/index.js';
export { MAX_SEED, SEED_ALIAS, SEED_VARIABLE, seededRandom, seedFromEnv, testSeed, type Commenting, type SeededRandom } from './test-seed.js';
