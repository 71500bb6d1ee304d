import { Body, Controller, Get, HttpCode, Post, Res, UnauthorizedException, UseGuards } from '@nestjs/common';
import {
  type CookieResponse,
  CurrentSession,
  type Session,
  SessionGuard,
  SessionService,
} from '@larder/nestjs';

const USERS = new Map([['ada@example.com', { id: 'u-1', password: 'lovelace' }]]);

/** Server-side sessions: SessionService sets and clears the cookie, on either adapter. */
@Controller('auth')
export class AuthController {
  constructor(private readonly sessions: SessionService) {}

  @Post('login')
  @HttpCode(200)
  async login(
    @Body() body: { email?: unknown; password?: unknown },
    @Res({ passthrough: true }) res: CookieResponse,
  ): Promise<{ userId: string }> {
    const user = typeof body?.email === 'string' ? USERS.get(body.email) : undefined;
    if (!user || user.password !== body.password) throw new UnauthorizedException('Wrong email or password');
    const session = await this.sessions.create({ email: body.email }, { userId: user.id });
    this.sessions.setCookie(res, session);
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
    @Res({ passthrough: true }) res: CookieResponse,
  ): Promise<void> {
    await this.sessions.destroy(id);
    this.sessions.clearCookie(res);
  }
}
