import fc from 'fast-check';
import t, { type Test } from 'tap';
import {
  DEFAULT_POLICY,
  formatMinor,
  formatMoney,
  MAX_MINOR,
  minorUnits,
  money,
  NumberText,
  parseAmount,
  readJsonNumber,
  ValidationFailed,
  type CurrencyCode,
} from '@banking/domain';
import { testSeed } from '@banking/testing';

const limits = { maxAmount: DEFAULT_POLICY.maxAmount };

/** parseAmount's refusal: ValidationFailed on the `amount` field, nothing else. */
function refuses(t: Test, input: unknown, currency: CurrencyCode = 'HTG', custom = limits): void {
  let thrown: unknown;
  try {
    parseAmount(input, currency, custom);
  } catch (error) {
    thrown = error;
  }
  const label = `${currency} refuses ${typeof input === 'string' ? JSON.stringify(input) : String(input)}`;
  if (!(thrown instanceof ValidationFailed)) {
    t.fail(label, { thrown });
    return;
  }
  t.match(thrown, { code: 'validation_failed', name: 'ValidationFailed', errors: [{ field: 'amount' }] }, label);
  t.equal(thrown.errors.length, 1, `${label}: one field error`);
}

t.test('parseAmount accepts JSON numbers and decimal strings, exactly', async (t) => {
  const cases: [unknown, CurrencyCode, number][] = [
    [1000, 'HTG', 100000],
    [1000.5, 'HTG', 100050],
    [1000.0, 'HTG', 100000],
    ['19.99', 'HTG', 1999],
    ['1000.50', 'HTG', 100050],
    [19.99, 'HTG', 1999],
    [1e3, 'HTG', 100000],
    ['0.01', 'HTG', 1],
    [0.01, 'HTG', 1],
    [0.1, 'USD', 10],
    ['7', 'EUR', 700],
    [5, 'JPY', 5],
    ['1234', 'JPY', 1234],
    [1.234, 'KWD', 1234],
    ['0.001', 'KWD', 1],
    [1e9, 'HTG', 100_000_000_000],
    ['1000000000', 'HTG', 100_000_000_000],
    ['999999999.99', 'HTG', 99_999_999_999],
  ];
  for (const [input, currency, minor] of cases) {
    t.same(parseAmount(input, currency, limits), { minor, currency }, `${JSON.stringify(input)} ${currency} → ${minor}`);
  }
  t.equal(parseAmount(JSON.parse('{"a": 1000.50}').a, 'HTG', limits).minor, 100050, 'parsed JSON 1000.50');
  t.equal(parseAmount(JSON.parse('{"a": 1E3}').a, 'HTG', limits).minor, 100000, 'parsed JSON 1E3');
  t.equal(parseAmount(JSON.parse('{"a": 25e-1}').a, 'HTG', limits).minor, 250, 'an exponent that leaves allowed decimals');
  t.equal(parseAmount('10', 'HTG', limits, 'custom').minor, 1000);
});

t.test('parseAmount refuses what is not a positive amount in the currency', async (t) => {
  const refused: unknown[] = [
    0,
    -0,
    '0',
    '0.00',
    -1,
    -0.01,
    '-1',
    NaN,
    Infinity,
    -Infinity,
    JSON.parse('1e400'),
    0.1 + 0.2,
    1.001,
    '1.001',
    1e-3,
    5e-7,
    '1e3',
    '1E3',
    ' 10',
    '10 ',
    '10.',
    '.5',
    '+5',
    '0x10',
    '1,5',
    '01',
    '1_000',
    '١٠',
    '',
    null,
    undefined,
    true,
    false,
    {},
    [],
    [10],
    { valueOf: () => 10 },
    10n,
    1e300,
    '1' + '0'.repeat(300),
    1_000_000_000.01,
    '1000000000.01',
    1e10,
  ];
  for (const input of refused) refuses(t, input, 'HTG');
  for (const input of [1.5, '1.5', 0.5, 1e-1, '10.0']) refuses(t, input, 'JPY');
  for (const input of [1.0001, '0.0001', 0]) refuses(t, input, 'KWD');
});

t.test('parseAmount applies the configured maximum, and never returns an inexact amount', async (t) => {
  t.equal(parseAmount(100, 'HTG', { maxAmount: 100 }).minor, 10000, 'the maximum itself is allowed');
  refuses(t, 100.01, 'HTG', { maxAmount: 100 });
  refuses(t, '101', 'HTG', { maxAmount: 100 });
  refuses(t, 101, 'JPY', { maxAmount: 100 });
  // Even when the configured maximum is beyond what minor units can count exactly.
  const huge = { maxAmount: 1e300 };
  refuses(t, 1e300, 'HTG', huge);
  refuses(t, '9'.repeat(40), 'HTG', huge);
  refuses(t, 2 ** 53, 'JPY', huge);
  t.equal(parseAmount(MAX_MINOR, 'JPY', huge).minor, MAX_MINOR, 'the largest exact count is allowed');
  t.equal(parseAmount('90071992547409.91', 'HTG', huge).minor, MAX_MINOR);
  refuses(t, '90071992547409.92', 'HTG', huge);
  // A fractional maximum is honoured to the currency's minor unit.
  t.equal(parseAmount('10.5', 'HTG', { maxAmount: 10.5 }).minor, 1050);
  refuses(t, '10.51', 'HTG', { maxAmount: 10.5 });
  refuses(t, 11, 'JPY', { maxAmount: 10.5 });
  t.equal(parseAmount(10, 'JPY', { maxAmount: 10.5 }).minor, 10);
  // No finite maximum still means nothing beyond exact counting; a zero maximum accepts nothing.
  t.equal(parseAmount(5, 'HTG', { maxAmount: Infinity }).minor, 500);
  refuses(t, 1e300, 'HTG', { maxAmount: Infinity });
  refuses(t, 1, 'HTG', { maxAmount: 0 });
});

t.test('the refusal explains itself on the amount field', async (t) => {
  const messageFor = (input: unknown, currency: CurrencyCode = 'HTG') => {
    try {
      parseAmount(input, currency, limits);
    } catch (error) {
      return (error as ValidationFailed).errors[0]?.message ?? '';
    }
    return 'accepted';
  };
  t.match(messageFor('1.001'), /at most 2 decimals/);
  t.match(messageFor('1.5', 'JPY'), /no decimals/);
  t.match(messageFor(0), /greater than 0/);
  t.match(messageFor(1e10), /must not exceed 1000000000 HTG/);
  t.match(messageFor(NaN), /finite/);
  t.match(messageFor({}), /number or a decimal string/);
});

t.test('formatMinor gives the exact decimal text', async (t) => {
  const cases: [number, CurrencyCode, string][] = [
    [100050, 'HTG', '1000.5'],
    [100000, 'HTG', '1000'],
    [1999, 'HTG', '19.99'],
    [5, 'HTG', '0.05'],
    [50, 'HTG', '0.5'],
    [0, 'HTG', '0'],
    [-1999, 'HTG', '-19.99'],
    [5, 'JPY', '5'],
    [0, 'JPY', '0'],
    [1234, 'KWD', '1.234'],
    [1, 'KWD', '0.001'],
    [MAX_MINOR, 'HTG', '90071992547409.91'],
    [MAX_MINOR, 'JPY', '9007199254740991'],
    [MAX_MINOR, 'KWD', '9007199254740.991'],
  ];
  for (const [minor, currency, text] of cases) t.equal(formatMinor(minor, currency), text, `${minor} ${currency}`);
  t.equal(formatMoney(money(1999, 'USD')), '19.99');
  t.throws(() => money(1.5, 'HTG'), RangeError);
  t.throws(() => money(2 ** 53, 'HTG'), RangeError);
  t.same(money(7, 'EUR'), { minor: 7, currency: 'EUR' });
});

t.test('formatMinor and parseAmount round-trip every amount under the maximum', async (t) => {
  const currencies: CurrencyCode[] = ['HTG', 'USD', 'EUR', 'JPY', 'KWD'];
  const seed = testSeed(t);
  let runs = 0;
  fc.assert(
    fc.property(
      fc.constantFrom(...currencies),
      fc.nat({ max: MAX_MINOR }),
      (currency, seed) => {
        runs++;
        const maxMinor = DEFAULT_POLICY.maxAmount * 10 ** minorUnits(currency);
        const minor = (seed % maxMinor) + 1;
        const text = formatMinor(minor, currency);
        return (
          parseAmount(text, currency, limits).minor === minor &&
          parseAmount(Number(text), currency, limits).minor === minor &&
          String(Number(text)) === text
        );
      },
    ),
    { numRuns: 2000, seed },
  );
  // Small amounts are where decimals go wrong: check them all for one currency.
  for (let minor = 1; minor <= 10_000; minor++) {
    const text = formatMinor(minor, 'HTG');
    if (parseAmount(Number(text), 'HTG', limits).minor !== minor) t.fail(`round-trip of ${minor}`);
  }
  t.equal(runs, 2000, 'property runs');
});

t.test('readJsonNumber: a JS number when the double is exactly what was written, else the text itself', async (t) => {
  for (const [text, value] of [
    ['1000', 1000],
    ['1000.0', 1000],
    ['1e2', 100],
    ['1E+2', 100],
    ['0.1e1', 1],
    ['100.10', 100.1],
    ['0.1', 0.1],
    ['0.30000000000000004', 0.30000000000000004],
    ['1e21', 1e21],
    ['5e-324', 5e-324],
    ['9007199254740992', 2 ** 53],
    ['0e999999999999', 0],
    ['1.00000000000000000000', 1],
    ['-19.99', -19.99],
  ] as const) {
    t.equal(readJsonNumber(text), value, `${text} → ${value}`);
  }
  t.ok(Object.is(readJsonNumber('-0'), -0), '-0 is -0');
  for (const text of ['0.009999999999999999999', '1.0000000000000000001', '1e400', '-1e400', '1e-400', '9007199254740993', '123456789012345678901234567890', '1e99999999999999999999', '0.1000000000000000055511151231257827']) {
    const value = readJsonNumber(text);
    t.ok(value instanceof NumberText && value.text === text && String(value) === text && JSON.stringify(value) === JSON.stringify(text), `${text} keeps its text`);
  }
  t.throws(() => new NumberText('01'), RangeError);
  t.throws(() => new NumberText('1.'), RangeError);
  t.throws(() => new NumberText('+1'), RangeError);
  t.match(new NumberText('1e400'), { negative: false, digits: '1', point: 401 });
  t.match(new NumberText('-0.0123000'), { negative: true, digits: '123', point: -1 });
  t.match(new NumberText('-0.0'), { negative: false, digits: '', point: 0 });
});

t.test('parseAmount judges a NumberText on its exact text, whatever its exponent', async (t) => {
  const messageFor = (text: string, currency: CurrencyCode = 'HTG') => {
    try {
      parseAmount(new NumberText(text), currency, limits);
    } catch (error) {
      return (error as ValidationFailed).errors[0]?.message ?? '';
    }
    return 'accepted';
  };
  t.equal(messageFor('0.009999999999999999999'), 'HTG amounts have at most 2 decimals');
  t.equal(messageFor('1.0000000000000000001'), 'HTG amounts have at most 2 decimals');
  t.equal(messageFor('1e-400'), 'HTG amounts have at most 2 decimals');
  t.equal(messageFor('1e-99999999999999999999999'), 'HTG amounts have at most 2 decimals');
  t.equal(messageFor(`1e-${'9'.repeat(400)}`), 'HTG amounts have at most 2 decimals', 'an exponent past any double');
  t.equal(messageFor('1e400'), 'must not exceed 1000000000 HTG');
  t.equal(messageFor(`1e${'9'.repeat(400)}`), 'must not exceed 1000000000 HTG', 'an exponent past any double');
  t.equal(messageFor('9007199254740993'), 'must not exceed 1000000000 HTG');
  t.equal(messageFor('-1e400'), 'must be greater than 0');
  t.equal(messageFor('1.5', 'JPY'), 'JPY amounts have no decimals');
  t.equal(parseAmount(new NumberText('1000.5'), 'HTG', limits).minor, 100050, 'a NumberText that fits is read exactly');
  t.equal(parseAmount(new NumberText('1.00000000000000000000'), 'JPY', limits).minor, 1, 'zeros that carry no value are not decimals');
  t.equal(parseAmount(new NumberText('0.00000000000000000000001e22'), 'HTG', limits).minor, 10);
  t.equal(parseAmount(new NumberText('90071992547409.91'), 'HTG', { maxAmount: 1e300 }).minor, MAX_MINOR);
  refuses(t, new NumberText('90071992547409.92'), 'HTG', { maxAmount: 1e300 });
  refuses(t, new NumberText('0'), 'HTG');
});
