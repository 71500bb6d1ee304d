import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { CacheService, type CacheEventName } from '@larder/nestjs';

export interface RecordedEvent {
  at: string;
  type: CacheEventName;
  key?: string;
  namespace: string;
  tier?: string;
  durationMs?: number;
}

const WATCHED: CacheEventName[] = ['hit', 'miss', 'write', 'delete', 'clear', 'error'];

/** Watches the cache the way an operator would: the last 100 events, and a debug log line per event. */
@Injectable()
export class CacheEventsService implements OnModuleInit {
  private readonly logger = new Logger('CacheEvents');
  private readonly recent: RecordedEvent[] = [];

  constructor(private readonly cache: CacheService) {}

  onModuleInit(): void {
    for (const type of WATCHED) {
      this.cache.on(type, (event) => {
        const entry: RecordedEvent = {
          at: new Date().toISOString(),
          type,
          key: 'key' in event ? event.key : undefined,
          namespace: event.namespace,
          tier: 'tier' in event ? event.tier : undefined,
          durationMs: event.durationMs === undefined ? undefined : Math.round(event.durationMs * 100) / 100,
        };
        this.recent.push(entry);
        if (this.recent.length > 100) this.recent.shift();
        this.logger.debug(`${type} ${entry.key ?? ''} ${entry.tier ?? ''}`.trim());
      });
    }
  }

  list(limit = 50): RecordedEvent[] {
    return this.recent.slice(-limit).reverse();
  }
}
