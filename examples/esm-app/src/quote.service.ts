import { Injectable } from '@nestjs/common';
import { Cacheable } from '@larder/nestjs';

/** A plain service with a cached method, in an ES module. */
@Injectable()
export class QuoteService {
  /** How many times the quote was computed; a cache hit does not count. */
  computed = 0;

  @Cacheable({ key: 'quote:{0}', ttl: '1m' })
  async quote(symbol: string): Promise<{ symbol: string; price: number }> {
    this.computed++;
    return { symbol, price: symbol.length * 10 };
  }
}
