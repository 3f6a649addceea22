import t from 'tap';
import { MAX_SEED, seededRandom, seedFromEnv, testSeed } from '@banking/testing';

t.test('TEST_SEED names the seed, PROOF_SEED is its older name, TEST_SEED wins', async (t) => {
  t.equal(seedFromEnv({}), undefined, 'none set');
  t.equal(seedFromEnv({ TEST_SEED: '42' }), 42);
  t.equal(seedFromEnv({ PROOF_SEED: '7' }), 7, 'the alias');
  t.equal(seedFromEnv({ TEST_SEED: '42', PROOF_SEED: '7' }), 42, 'TEST_SEED first');
  t.equal(seedFromEnv({ TEST_SEED: '', PROOF_SEED: '7' }), 7, 'an empty TEST_SEED is unset');
  t.equal(seedFromEnv({ TEST_SEED: '0' }), 0);
  t.equal(seedFromEnv({ TEST_SEED: String(MAX_SEED) }), MAX_SEED);
});

t.test('a malformed seed throws instead of quietly running other choices', async (t) => {
  for (const bad of ['abc', '-1', '1.5', '1e3', String(MAX_SEED + 1), '99999999999', '0x10']) {
    t.throws(() => seedFromEnv({ TEST_SEED: bad }), { name: 'RangeError', message: /^TEST_SEED=.*an integer from 0 to 2147483647/ }, bad);
  }
  t.throws(() => seedFromEnv({ PROOF_SEED: 'x' }), { message: /^PROOF_SEED=/ });
});

t.test('testSeed prints the seed with the command that replays it', async (t) => {
  const comments: string[] = [];
  const sink = { comment: (message: unknown) => void comments.push(String(message)) };
  t.equal(testSeed(sink, { TEST_SEED: '123' }), 123);
  t.same(comments, ['seed 123 (TEST_SEED=123 replays it)']);
  const drawn = testSeed(sink, {});
  t.ok(Number.isInteger(drawn) && drawn >= 0 && drawn <= MAX_SEED, `a drawn seed in range (${drawn})`);
  t.equal(testSeed(sink, {}), drawn, 'drawn once per process');
  t.equal(comments[1], `seed ${drawn} (TEST_SEED=${drawn} replays it)`);
});

t.test('seededRandom: one seed and stream give one sequence, in range', async (t) => {
  const draw = (seed: number, stream?: string) => {
    const random = seededRandom(seed, stream);
    return Array.from({ length: 50 }, () => random.next());
  };
  t.same(draw(1), draw(1), 'same seed, same sequence');
  t.not(draw(1).join(), draw(2).join(), 'another seed, another sequence');
  t.not(draw(1, 'a').join(), draw(1, 'b').join(), 'another stream, another sequence');
  const random = seededRandom(99);
  const ints = Array.from({ length: 2000 }, () => random.int(3, 7));
  t.ok(ints.every((n) => Number.isInteger(n) && n >= 3 && n <= 7), 'int within [min, max]');
  t.same([...new Set(ints)].sort(), [3, 4, 5, 6, 7], 'and reaches both ends');
  t.ok(draw(5).every((x) => x >= 0 && x < 1), 'next() within [0, 1)');
  const items = ['x', 'y', 'z'] as const;
  t.same(new Set(Array.from({ length: 200 }, () => random.pick(items))), new Set(items), 'pick reaches every item');
  t.throws(() => random.pick([]), RangeError);
});
