/**
 * One contract suite per port, each a function of a tap Test and an adapter (or a factory of
 * harnesses, opened per subtest and closed after it). Every implementation of a port runs the same
 * suite: memory here, PostgreSQL/PGlite and Redis in their packages. Only tap's types are imported,
 * so loading @banking/testing never loads tap.
 */
export { storeContract, type StoreHarness } from './store.contract.js';
export { cacheContract, type CacheHarness } from './cache.contract.js';
export { denylistContract, type DenylistHarness } from './denylist.contract.js';
export { rateLimitStoreContract, type RateLimitStoreHarness } from './rate-limit-store.contract.js';
export { passwordHasherContract, type PasswordHasherContractOptions } from './password-hasher.contract.js';
export { secretDigestContract } from './secret-digest.contract.js';
export { clockContract, type ClockContractOptions } from './clock.contract.js';
export { idGeneratorContract, UUID } from './id-generator.contract.js';
export { randomSourceContract } from './random-source.contract.js';
