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
import type { Request } from 'express';
import {
  type CookieResponse,
  CurrentSession,
  type Session,
  SessionGuard,
  SessionNotFoundError,
  SessionService,
} from '@larder/nestjs';
import { verifyDemoUser } from './demo-users';
import { LoginBody } from './login-body.dto';

/** Server-side sessions: login (with rotation against fixation), me, logout, log out everywhere. */
@Controller('auth')
export class AuthController {
  constructor(private readonly sessions: SessionService) {}

  @Post('login')
  @HttpCode(200)
  async login(@Body() body: LoginBody, @Req() req: Request, @Res({ passthrough: true }) res: CookieResponse) {
    const user = verifyDemoUser(body?.email, body?.password);
    if (!user) throw new UnauthorizedException('Unknown email or wrong password');
    const session = await this.startSession(req.headers, user);
    this.sessions.setCookie(res, session);
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
  async logout(
    @CurrentSession('id') id: string,
    @Res({ passthrough: true }) res: CookieResponse,
  ): Promise<void> {
    await this.sessions.destroy(id);
    this.sessions.clearCookie(res);
  }

  @Post('logout-all')
  @HttpCode(200)
  @UseGuards(SessionGuard)
  async logoutAll(@CurrentSession('userId') userId: string, @Res({ passthrough: true }) res: CookieResponse) {
    const ended = await this.sessions.destroyAllForUser(userId);
    this.sessions.clearCookie(res);
    return { ended };
  }

  /**
   * The user's session, holding exactly what the login grants. A session the request already
   * carried moves to the new id (rotation), so an id planted before login is dead from now on;
   * its data does not come along, so nobody inherits what an earlier login on this browser held.
   */
  private async startSession(headers: Request['headers'], user: { id: string; roles: string[] }) {
    const data = { roles: user.roles };
    const existingId = this.sessions.readId(headers);
    if (existingId) {
      try {
        return await this.sessions.rotate(existingId, { userId: user.id, data });
      } catch (error) {
        // Expired, logged out or never issued: nothing to rotate, start afresh.
        if (!(error instanceof SessionNotFoundError)) throw error;
      }
    }
    return this.sessions.create(data, { userId: user.id });
  }
}
