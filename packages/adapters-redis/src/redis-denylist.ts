import type { Timestamp, TokenDenylist } from '@banking/domain';
import { DENY } from './lua-scripts.js';
import type { RedisConnection } from './redis-connection.js';
import type { RedisKeys } from './redis-keys.js';

/**
 * Denied sessions in Redis (`deny:<id>`, expiring when the session's access tokens do), shared by
 * every instance, and failing closed for what this instance denied: a local copy of its own
 * denials (each until its time) is consulted first and answers alone while Redis is down, and
 * every recovery writes the whole copy back to Redis (a deny made during an outage, or lost with
 * a restarted Redis, reaches the other instances once Redis returns).
 */
export class RedisDenylist implements TokenDenylist {
  private readonly local = new Map<string, number>();
  private sweepAt = 1024;

  constructor(
    private readonly connection: RedisConnection,
    private readonly keys: RedisKeys,
    private readonly now: () => number = Date.now,
  ) {
    connection.addRecoveryStep(() => this.pushLocalCopy());
  }

  async deny(id: string, until: Timestamp): Promise<void> {
    const time = Date.parse(until);
    if (!(time > (this.local.get(id) ?? 0))) return;
    this.local.set(id, time);
    if (this.local.size >= this.sweepAt) this.sweep();
    if (!this.connection.isHealthy()) return;
    try {
      await this.write(id, time);
    } catch (error) {
      // Kept locally; the recovery that follows the failure writes it to Redis.
      this.connection.fail(error);
    }
  }

  async isDenied(id: string): Promise<boolean> {
    if ((this.local.get(id) ?? 0) > this.now()) return true;
    if (!this.connection.isHealthy()) return false;
    try {
      return Number(await this.connection.send(['EXISTS', this.keys.deny(id)])) > 0;
    } catch {
      return false;
    }
  }

  /** The ids this instance denied, still in force (what is written back after an outage). */
  localCount(): number {
    this.sweep();
    return this.local.size;
  }

  private async pushLocalCopy(): Promise<void> {
    this.sweep();
    await Promise.all([...this.local].map(([id, time]) => this.write(id, time)));
  }

  private async write(id: string, time: number): Promise<void> {
    const remaining = time - this.now();
    if (remaining <= 0) return;
    await this.connection.eval(DENY, [this.keys.deny(id)], [String(time), String(remaining)]);
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, time] of this.local) if (time <= now) this.local.delete(id);
    this.sweepAt = Math.max(1024, this.local.size * 2);
  }
}
