/**
 * Every key this adapter writes, under one prefix (default `bank:`):
 *
 * | key                                   | holds                                   | TTL            |
 * | ------------------------------------- | --------------------------------------- | -------------- |
 * | `epoch`                               | random token, replaced on each recovery | none           |
 * | `gen:<scope>`                         | the scope's generation (an integer)     | none           |
 * | `val:<scope>:<epoch>:<gen>:<key>`     | a cached value (JSON)                   | the put's TTL  |
 * | `rl:<key>`                            | a rate-limit window's count             | the window     |
 * | `deny:<id>`                           | a denied session (until, epoch ms)      | remaining life |
 */
export class RedisKeys {
  constructor(private readonly prefix: string) {}

  get epoch(): string {
    return `${this.prefix}epoch`;
  }

  generation(scope: string): string {
    return `${this.prefix}gen:${scope}`;
  }

  /** The value keys of a scope, without epoch, generation and key (the Lua get completes it). */
  valuePrefix(scope: string): string {
    return `${this.prefix}val:${scope}:`;
  }

  value(scope: string, epoch: string, generation: string, key: string): string {
    return `${this.valuePrefix(scope)}${epoch}:${generation}:${key}`;
  }

  rateLimit(key: string): string {
    return `${this.prefix}rl:${key}`;
  }

  deny(id: string): string {
    return `${this.prefix}deny:${id}`;
  }
}
