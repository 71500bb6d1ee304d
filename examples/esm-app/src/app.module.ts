import { Module } from '@nestjs/common';
import { CacheModule } from '@larder/nestjs';
import { QuoteService } from './quote.service.js';

@Module({
  imports: [
    CacheModule.forRoot({ redis: process.env.REDIS_URL, namespace: 'esm', logConnectionEvents: false }),
  ],
  providers: [QuoteService],
})
export class AppModule {}
