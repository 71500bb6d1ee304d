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

describe('TypedEvents while emitting', () => {
  it('a listener added or removed during an emit takes effect from the next emit', () => {
    const events = new TypedEvents<Map1>();
    const seen: string[] = [];
    const late = (e: { n: number }) => seen.push(`late ${e.n}`);
    const second = (e: { n: number }) => seen.push(`second ${e.n}`);
    events.on('ping', (e) => {
      seen.push(`first ${e.n}`);
      if (e.n === 1) {
        events.on('ping', late);
        events.off('ping', second);
      }
    });
    events.on('ping', second);
    events.emit('ping', { n: 1 });
    events.emit('ping', { n: 2 });
    expect(seen).toEqual(['first 1', 'second 1', 'first 2', 'late 2']);
  });

  it('off removes one registration of a listener added twice', () => {
    const events = new TypedEvents<Map1>();
    let calls = 0;
    const listener = () => calls++;
    events.on('ping', listener);
    events.on('ping', listener);
    events.off('ping', listener);
    events.emit('ping', { n: 1 });
    expect(calls).toBe(1);
    expect(events.wants('ping')).toBe(true);
    events.off('ping', listener);
    expect(events.wants('ping')).toBe(false);
  });
});
