import type { Timestamp, TokenDenylist } from '@banking/domain';

export class MemoryDenylist implements TokenDenylist {
  private readonly until = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  async deny(id: string, until: Timestamp): Promise<void> {
    const time = Date.parse(until);
    if (time > (this.until.get(id) ?? 0)) this.until.set(id, time);
    this.sweep();
  }

  async isDenied(id: string): Promise<boolean> {
    return (this.until.get(id) ?? 0) > this.now();
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, until] of this.until) if (until <= now) this.until.delete(id);
  }
}
