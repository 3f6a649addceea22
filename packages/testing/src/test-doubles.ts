import { randomUUID } from 'node:crypto';
import type { Clock, PasswordHasher, RandomSource } from '@banking/domain';

/** A clock that only moves when told to. */
export class FixedClock implements Clock {
  constructor(private current = new Date('2026-01-01T00:00:00.000Z')) {}
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
  set(date: Date): void {
    this.current = new Date(date);
  }
}

/** A deterministic random source: replays `digits` from a list (then falls back to a counter). */
export class ScriptedRandom implements RandomSource {
  private counter = 0;
  constructor(private readonly numbers: string[] = []) {}
  digits(count: number): string {
    return this.numbers.shift() ?? String(++this.counter).padStart(count, '0');
  }
  secret(): string {
    return `secret-${++this.counter}-${randomUUID()}`;
  }
}

/** Fast and obviously fake: for tests of everything but hashing itself. */
export class PlainTextHasher implements PasswordHasher {
  hash(password: string): Promise<string> {
    return Promise.resolve(`plain:${password}`);
  }
  verify(password: string, hash: string | undefined): Promise<boolean> {
    return Promise.resolve(hash !== undefined && hash === `plain:${password}`);
  }
}
