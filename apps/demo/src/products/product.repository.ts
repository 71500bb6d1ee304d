import { Injectable } from '@nestjs/common';
import { slowly } from '../shared/slowly';

export interface Product {
  id: string;
  name: string;
  price: number;
  updatedAt: string;
}

/** A tiny in-memory "database" with visible latency, so cache hits and misses can be told apart. */
@Injectable()
export class ProductRepository {
  private readonly rows = new Map<string, Product>(
    [
      ['1', 'Espresso beans', 14.5],
      ['2', 'Pour-over kettle', 49],
      ['3', 'Burr grinder', 129],
    ].map(([id, name, price]) => [
      id as string,
      {
        id: id as string,
        name: name as string,
        price: price as number,
        updatedAt: new Date(0).toISOString(),
      },
    ]),
  );
  /** How many times the "database" was actually read, to show what the cache saved. */
  reads = 0;

  private delay(): Promise<void> {
    return slowly(undefined);
  }

  async find(id: string): Promise<Product | null> {
    await this.delay();
    this.reads++;
    return this.rows.get(id) ?? null;
  }

  async all(): Promise<Product[]> {
    await this.delay();
    this.reads++;
    return [...this.rows.values()];
  }

  async remove(id: string): Promise<boolean> {
    await this.delay();
    return this.rows.delete(id);
  }

  async update(id: string, patch: Partial<Pick<Product, 'name' | 'price'>>): Promise<Product | null> {
    await this.delay();
    const row = this.rows.get(id);
    if (!row) return null;
    const next = { ...row, ...patch, updatedAt: new Date().toISOString() };
    this.rows.set(id, next);
    return next;
  }
}
