import type { Timestamp, TokenDenylist } from '@banking/domain';
import { promised } from './promised.js';

export class MemoryDenylist implements TokenDenylist {
  private readonly until = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  deny(id: string, until: Timestamp): Promise<void> {
    return promised(() => {
      const time = Date.parse(until);
      if (time > (this.until.get(id) ?? 0)) this.until.set(id, time);
      this.sweep();
    });
  }

  isDenied(id: string): Promise<boolean> {
    return promised(() => {
      return (this.until.get(id) ?? 0) > this.now();
    });
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, until] of this.until) if (until <= now) this.until.delete(id);
  }
}
