import {
  type CallHandler,
  type CanActivate,
  Controller,
  type ExecutionContext,
  Get,
  HttpCode,
  Injectable,
  type INestApplication,
  type NestInterceptor,
  Param,
  ParseIntPipe,
  Post,
  SetMetadata,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { Observable } from 'rxjs';
import request from 'supertest';
import { Cacheable, CacheEvict, CacheModule, type LarderModuleOptions } from '@larder/nestjs';
import { testRedisUrl, uniqueNamespace } from '#test/test-helpers';

const ROLE = 'test:role';

/** Lets a request in only when `x-role` matches the role the handler declares with SetMetadata. */
@Injectable()
class RoleGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const role = this.reflector.get<string | undefined>(ROLE, context.getHandler());
    const header = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>()
      .headers['x-role'];
    return role !== undefined && header === role;
  }
}

@Injectable()
class StampInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    context
      .switchToHttp()
      .getResponse<{ header(name: string, value: string): void }>()
      .header('x-stamp', 'intercepted');
    return next.handle();
  }
}

@Controller('products')
@UseGuards(RoleGuard)
class ProductsController {
  calls = 0;

  @Get(':id')
  @SetMetadata(ROLE, 'reader')
  @UseInterceptors(StampInterceptor)
  @Cacheable({ key: 'http:product:{0}' })
  async find(@Param('id', ParseIntPipe) id: number): Promise<{ id: number; calls: number }> {
    this.calls++;
    return { id, calls: this.calls };
  }

  // The caching decorator above the route decorators this time: order must not matter.
  @CacheEvict({ key: 'http:product:{0}' })
  @Post(':id/refresh')
  @HttpCode(202)
  @SetMetadata(ROLE, 'writer')
  async refresh(@Param('id', ParseIntPipe) id: number): Promise<{ refreshed: number }> {
    return { refreshed: id };
  }
}

const setups: Array<[string, 'express' | 'fastify', () => LarderModuleOptions]> = [
  ['Express, memory', 'express', () => ({})],
  ['Express, Redis', 'express', () => ({ redis: testRedisUrl() })],
  ['Fastify, Redis', 'fastify', () => ({ redis: testRedisUrl() })],
];

describe.each(setups)('caching decorators on a controller (%s)', (_name, adapter, makeOptions) => {
  let app: INestApplication;
  let controller: ProductsController;

  beforeEach(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        CacheModule.forRoot({ logConnectionEvents: false, namespace: uniqueNamespace(), ...makeOptions() }),
      ],
      controllers: [ProductsController],
      providers: [RoleGuard, StampInterceptor],
    }).compile();
    app =
      adapter === 'fastify'
        ? moduleRef.createNestApplication(new FastifyAdapter(), { logger: false })
        : moduleRef.createNestApplication({ logger: false });
    await app.init();
    if (adapter === 'fastify') await app.getHttpAdapter().getInstance().ready();
    controller = app.get(ProductsController);
  });

  afterEach(async () => {
    await app.close();
  });

  it('keeps the route, its guard (reading handler metadata), pipe and interceptor, and caches the handler', async () => {
    const server = app.getHttpServer();
    await request(server).get('/products/1').expect(403);
    await request(server).get('/products/1').set('x-role', 'writer').expect(403);
    expect(controller.calls).toBe(0);

    await request(server).get('/products/abc').set('x-role', 'reader').expect(400);

    const first = await request(server).get('/products/1').set('x-role', 'reader').expect(200);
    expect(first.body).toEqual({ id: 1, calls: 1 });
    expect(first.headers['x-stamp']).toBe('intercepted');
    const second = await request(server).get('/products/1').set('x-role', 'reader').expect(200);
    expect(second.body).toEqual({ id: 1, calls: 1 });
    expect(controller.calls).toBe(1);
  });

  it('keeps the HTTP code and guard of an evicting route, and the eviction applies', async () => {
    const server = app.getHttpServer();
    await request(server).get('/products/2').set('x-role', 'reader').expect(200);
    await request(server).post('/products/2/refresh').set('x-role', 'reader').expect(403);
    await request(server).get('/products/2').set('x-role', 'reader').expect(200, { id: 2, calls: 1 });

    await request(server).post('/products/2/refresh').set('x-role', 'writer').expect(202, { refreshed: 2 });
    await request(server).get('/products/2').set('x-role', 'reader').expect(200, { id: 2, calls: 2 });
  });
});
