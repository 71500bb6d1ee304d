import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { InvalidArgumentError } from '../../errors';
import { appendSetCookie } from './set-cookie';

describe('appendSetCookie', () => {
  it('keeps the cookies a bare Node response already has', () => {
    const response = new ServerResponse(new IncomingMessage(new Socket()));
    appendSetCookie(response, 'a=1');
    appendSetCookie(response, 'b=2');
    expect(response.getHeader('Set-Cookie')).toEqual(['a=1', 'b=2']);
  });

  it('refuses what is not a response, naming the argument', () => {
    expect(() => appendSetCookie({} as never, 'a=1')).toThrow(InvalidArgumentError);
    expect(() => appendSetCookie(undefined as never, 'a=1')).toThrow(/"response"/);
  });
});
