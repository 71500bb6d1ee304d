import { Injectable } from '@nestjs/common';

/** How the demo's price "database" behaves, switched at runtime by `PUT /prices/database`. */
export type DatabaseMode = 'ok' | 'failing' | 'slow';

export interface Price {
  sku: string;
  cents: number;
  /** When the database produced this price: an old one means the cache served a stale value. */
  fetchedAt: string;
}

/** How long the slow mode takes: past the route's hard timeout, so it is always abandoned. */
const SLOW_MS = 5_000;

/** A stand-in for a real database that can be made to fail or hang, to show what callers see. */
@Injectable()
export class PriceDatabase {
  mode: DatabaseMode = 'ok';
  queries = 0;

  /** One query; honours `signal` like a real driver, so an abandoned query stops. */
  async price(sku: string, signal: AbortSignal): Promise<Price> {
    this.queries++;
    if (this.mode === 'failing') throw new Error('price database unavailable');
    if (this.mode === 'slow') {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, SLOW_MS);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(signal.reason as Error);
        });
      });
    }
    return { sku, cents: 100 + (this.queries % 50), fetchedAt: new Date().toISOString() };
  }
}
