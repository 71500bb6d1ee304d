import { fromCacheEvent, type ConsoleEventDraft } from './console-event';
import { EventRing, type ConsoleConverter } from './event-ring';

const SESSION_ID = 'q3X9aZ0bC1dE2fG3hI4jK5lM6nO7pQ8rS9tU0vW1xY2';

describe('EventRing', () => {
  it('converts an event only when it is read, numbered, oldest first, at most capacity of them', () => {
    const converted: unknown[] = [];
    const convert: ConsoleConverter = (type, payload, at): ConsoleEventDraft => {
      converted.push(payload);
      return { at, type: type as ConsoleEventDraft['type'], key: String(payload) };
    };
    const ring = new EventRing(3);
    for (let i = 1; i <= 5; i++) ring.push('delete', `k:${i}`, 1000 + i, convert);
    expect(converted).toEqual([]);
    expect({ size: ring.size, last: ring.last }).toEqual({ size: 3, last: 5 });

    expect(ring.since(0)).toEqual([
      { seq: 3, at: 1003, type: 'delete', key: 'k:3' },
      { seq: 4, at: 1004, type: 'delete', key: 'k:4' },
      { seq: 5, at: 1005, type: 'delete', key: 'k:5' },
    ]);
    expect(converted).toEqual(['k:3', 'k:4', 'k:5']);
    expect(ring.since(3, 4).map((e) => e.seq)).toEqual([4]);
    expect(ring.since(5)).toEqual([]);
  });
});

describe('fromCacheEvent', () => {
  it('says why a stale value was served or a lock load fell back, redacting session ids', () => {
    const base = { cache: 'default', namespace: '', key: `rates:${SESSION_ID}` };
    const stale = fromCacheEvent(
      'stale',
      { ...base, reason: 'loader-error', error: new Error(`upstream refused ${SESSION_ID}`) },
      1,
    );
    expect(stale).toMatchObject({
      type: 'stale',
      key: 'rates:[redacted]',
      detail: 'loader-error: upstream refused [redacted]',
    });
    expect(fromCacheEvent('lock-fallback', { ...base, reason: 'wait-timeout' }, 1).detail).toBe(
      'wait-timeout',
    );
    expect(fromCacheEvent('lock-wait', { ...base, durationMs: 12.34567 }, 1)).toMatchObject({
      type: 'lock-wait',
      durationMs: 12.346,
      detail: undefined,
    });
  });
});
