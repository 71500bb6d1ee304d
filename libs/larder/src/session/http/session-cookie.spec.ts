import { readBearer, readCookie, serializeCookie } from './session-cookie';

describe('session cookies', () => {
  it('reads one cookie out of a Cookie header', () => {
    expect(readCookie('larder.sid=abc', 'larder.sid')).toBe('abc');
    expect(readCookie('theme=dark; larder.sid=abc; other=1', 'larder.sid')).toBe('abc');
    expect(readCookie('theme=dark;larder.sid = abc ;x=1', 'larder.sid')).toBe('abc');
    expect(readCookie('larder.sid="abc"', 'larder.sid')).toBe('abc');
    expect(readCookie('larder.sid=a%20b', 'larder.sid')).toBe('a b');
    expect(readCookie('larder.sid=%E0%A4%A', 'larder.sid')).toBe('%E0%A4%A');
    expect(readCookie('larder.sid=a=b', 'larder.sid')).toBe('a=b');
    expect(readCookie(['a=1', 'larder.sid=abc'], 'larder.sid')).toBe('abc');
  });

  it('does not confuse similar names or missing cookies', () => {
    expect(readCookie('xlarder.sid=abc; larder.sidx=def', 'larder.sid')).toBeUndefined();
    expect(readCookie('larder.sid', 'larder.sid')).toBeUndefined();
    expect(readCookie('', 'larder.sid')).toBeUndefined();
    expect(readCookie(undefined, 'larder.sid')).toBeUndefined();
    expect(readCookie('first=1; larder.sid=one; larder.sid=two', 'larder.sid')).toBe('one');
  });

  it('reads bearer tokens', () => {
    expect(readBearer('Bearer abc')).toBe('abc');
    expect(readBearer('bearer   abc  ')).toBe('abc');
    expect(readBearer('Basic abc')).toBeUndefined();
    expect(readBearer('Bearer')).toBeUndefined();
    expect(readBearer('Bearer a b')).toBeUndefined();
    expect(readBearer(undefined)).toBeUndefined();
  });

  it('writes HttpOnly cookies with the configured attributes', () => {
    const expires = new Date(Date.UTC(2030, 0, 2, 3, 4, 5));
    expect(serializeCookie('larder.sid', 'abc', { path: '/', secure: true, sameSite: 'lax', expires })).toBe(
      'larder.sid=abc; Path=/; Expires=Wed, 02 Jan 2030 03:04:05 GMT; HttpOnly; SameSite=Lax; Secure',
    );
    expect(
      serializeCookie('sid', '', {
        path: '/app',
        domain: 'example.com',
        secure: false,
        sameSite: 'strict',
        maxAge: 0,
      }),
    ).toBe('sid=; Path=/app; Domain=example.com; Max-Age=0; HttpOnly; SameSite=Strict');
  });
});
