import { Body, Controller, Get, HttpCode, Post, Res, UnauthorizedException, UseGuards } from '@nestjs/common';
import { CurrentSession, type Session, SessionGuard, SessionService } from '@larder/nestjs';
import type { ResponseHeaders } from './response-headers';

const USERS = new Map([['ada@example.com', { id: 'u-1', password: 'lovelace' }]]);

/** Server-side sessions: the app sets and clears the cookie itself, on either adapter. */
@Controller('auth')
export class AuthController {
  constructor(private readonly sessions: SessionService) {}

  @Post('login')
  @HttpCode(200)
  async login(
    @Body() body: { email?: unknown; password?: unknown },
    @Res({ passthrough: true }) res: ResponseHeaders,
  ): Promise<{ userId: string }> {
    const user = typeof body?.email === 'string' ? USERS.get(body.email) : undefined;
    if (!user || user.password !== body.password) throw new UnauthorizedException('Wrong email or password');
    const session = await this.sessions.create({ email: body.email }, { userId: user.id });
    res.header('Set-Cookie', this.sessions.cookieHeader(session));
    return { userId: user.id };
  }

  @Get('me')
  @UseGuards(SessionGuard)
  me(@CurrentSession() session: Session): { userId: string | undefined; data: Session['data'] } {
    return { userId: session.userId, data: session.data };
  }

  @Post('logout')
  @HttpCode(204)
  @UseGuards(SessionGuard)
  async logout(
    @CurrentSession('id') id: string,
    @Res({ passthrough: true }) res: ResponseHeaders,
  ): Promise<void> {
    await this.sessions.destroy(id);
    res.header('Set-Cookie', this.sessions.clearCookieHeader());
  }
}
