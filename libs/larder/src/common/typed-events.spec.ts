import { TypedEvents } from './typed-events';

interface Map1 {
  ping: { n: number };
  other: { s: string };
}

describe('TypedEvents', () => {
  it('tells whether anyone listens, per event, as listeners come and go', () => {
    const events = new TypedEvents<Map1>();
    const listener = () => undefined;
    expect(events.wants('ping')).toBe(false);
    events.on('ping', listener);
    expect(events.wants('ping')).toBe(true);
    expect(events.wants('other')).toBe(false);
    events.off('ping', listener);
    expect(events.wants('ping')).toBe(false);
  });

  it('a throwing listener neither reaches the emitter nor silences the listeners after it', () => {
    const events = new TypedEvents<Map1>();
    const seen: number[] = [];
    events.on('ping', () => {
      throw new Error('listener bug');
    });
    events.on('ping', (e) => seen.push(e.n));
    expect(() => events.emit('ping', { n: 7 })).not.toThrow();
    expect(seen).toEqual([7]);
  });
});
