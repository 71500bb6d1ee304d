import { LarderError } from '../errors';
import type { OtelApi, OtelAttributeValue, OtelSpan, OtelTracer } from './otel-api';
import type { TracingOptions } from './tracing-options';

export type SpanAttributes = Record<string, OtelAttributeValue>;

/** Reads a call's result into its span just before the span ends. */
export type ResultAttributes<R> = (result: R) => SpanAttributes | undefined;

/**
 * Larder's spans: one INTERNAL span per traced call, named `larder.<operation>`, a child of the
 * span active when the call starts and itself the active span for everything the call awaits, so
 * Redis client spans (instrumentation-ioredis, node-redis) and the spans of a loader nest under it.
 * Attributes live in the `larder.` namespace; `db.*` belongs to the Redis client spans.
 */
export class LarderTracer {
  private readonly tracer: OtelTracer;
  private readonly common: SpanAttributes;
  /** Spans whose call is still running: events of a call annotate its span, and only while it runs. */
  private readonly running = new WeakSet<OtelSpan>();

  constructor(
    private readonly api: OtelApi,
    readonly options: TracingOptions,
  ) {
    this.tracer = api.trace.getTracer(options.tracerName);
    this.common = { 'larder.name': options.name, 'larder.namespace': options.namespace };
  }

  /**
   * Runs `call` in a new span. A rejection (or a synchronous throw) is recorded on the span with
   * status ERROR and reaches the caller unchanged; so does the result.
   */
  run<R>(
    operation: string,
    attributes: SpanAttributes | undefined,
    call: () => Promise<R>,
    onResult?: ResultAttributes<R>,
  ): Promise<R> {
    const { context, trace, SpanKind } = this.api;
    const parent = context.active();
    const span = this.tracer.startSpan(
      `larder.${operation}`,
      {
        kind: SpanKind.INTERNAL,
        attributes: { ...this.common, 'larder.operation': operation, ...attributes },
      },
      parent,
    );
    this.running.add(span);
    let pending: Promise<R>;
    try {
      pending = context.with(trace.setSpan(parent, span), call);
    } catch (error) {
      this.fail(span, error);
      throw error;
    }
    return pending.then(
      (result) => {
        const found = onResult?.(result);
        if (found) for (const name in found) span.setAttribute(name, found[name]);
        this.end(span);
        return result;
      },
      (error: unknown) => {
        this.fail(span, error);
        throw error;
      },
    );
  }

  /** The Larder span of the call running in this async context, if any (never a loader's or the app's own). */
  current(): OtelSpan | undefined {
    const span = this.api.trace.getSpan(this.api.context.active());
    return span !== undefined && this.running.has(span) ? span : undefined;
  }

  /** `{ [attribute]: key }` when the `keys` option records keys, otherwise nothing. */
  key(key: unknown, attribute = 'larder.key'): SpanAttributes | undefined {
    return this.options.keys && typeof key === 'string' ? { [attribute]: key } : undefined;
  }

  /** Records an error the call survived (a store failure it failed open on): an exception event, no ERROR status. */
  degraded(span: OtelSpan, error: unknown): void {
    span.setAttribute('larder.degraded', true);
    span.recordException(this.exception(error));
  }

  private end(span: OtelSpan): void {
    this.running.delete(span);
    span.end();
  }

  private fail(span: OtelSpan, error: unknown): void {
    const exception = this.exception(error);
    span.recordException(exception);
    span.setStatus({ code: this.api.SpanStatusCode.ERROR, message: exception.message });
    if (error instanceof LarderError) span.setAttribute('larder.error.code', error.code);
    this.end(span);
  }

  /**
   * Larder's own messages name keys (`The loader of "user:42" ...`), so without `keys` its errors
   * are recorded by name and code only. The app's errors (a loader's) are recorded as thrown.
   */
  private exception(error: unknown): { name: string; message: string; stack?: string } {
    if (error instanceof LarderError && !this.options.keys) return { name: error.name, message: error.code };
    if (error instanceof Error) return error;
    return { name: 'Error', message: String(error) };
  }
}
