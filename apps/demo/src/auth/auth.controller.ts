import {
  Body,
  Controller,
  Get,
  HttpCode,
  Post,
  Req,
  Res,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { CurrentSession, type Session, SessionGuard, SessionService } from '@larder/nestjs';
import { verifyDemoUser } from './demo-users';

/** Server-side sessions: login (with rotation against fixation), me, logout, log out everywhere. */
@Controller('auth')
export class AuthController {
  constructor(private readonly sessions: SessionService) {}

  @Post('login')
  @HttpCode(200)
  async login(
    @Body() body: { email?: unknown; password?: unknown },
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    const user = verifyDemoUser(body?.email, body?.password);
    if (!user) throw new UnauthorizedException('Unknown email or wrong password');
    // A session that existed before login moves to a new id, so a planted id is dead from now on.
    const existingId = this.sessions.readId(req.headers);
    const existing = existingId ? await this.sessions.get(existingId) : undefined;
    const session = existing
      ? await this.sessions.rotate(existing.id, { userId: user.id })
      : await this.sessions.create({ roles: user.roles }, { userId: user.id });
    res.setHeader('Set-Cookie', this.sessions.cookieHeader(session));
    return { userId: user.id, expiresAt: session.expiresAt };
  }

  @Get('me')
  @UseGuards(SessionGuard)
  async me(@CurrentSession() session: Session) {
    const devices = await this.sessions.listForUser(session.userId as string);
    return { userId: session.userId, data: session.data, since: session.createdAt, sessions: devices.length };
  }

  @Post('logout')
  @HttpCode(204)
  @UseGuards(SessionGuard)
  async logout(@CurrentSession('id') id: string, @Res({ passthrough: true }) res: Response): Promise<void> {
    await this.sessions.destroy(id);
    res.setHeader('Set-Cookie', this.sessions.clearCookieHeader());
  }

  @Post('logout-all')
  @HttpCode(200)
  @UseGuards(SessionGuard)
  async logoutAll(@CurrentSession('userId') userId: string, @Res({ passthrough: true }) res: Response) {
    const ended = await this.sessions.destroyAllForUser(userId);
    res.setHeader('Set-Cookie', this.sessions.clearCookieHeader());
    return { ended };
  }
}
