import { loadOptionalPeer } from '../common/optional-peer';

/*
 * The members of @opentelemetry/api that tracing uses, written out: the api is an optional peer,
 * so Larder's published types never import it (an app without it compiles with skipLibCheck off).
 * Any 1.x api fits these shapes.
 */

/** An OpenTelemetry `Context` (opaque here). */
export type OtelContext = object;

/** An attribute value, as @opentelemetry/api accepts them. */
export type OtelAttributeValue = string | number | boolean | string[];

/** An OpenTelemetry `Span`, by the members Larder calls. */
export interface OtelSpan {
  setAttribute(key: string, value: OtelAttributeValue): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  recordException(exception: { name: string; message: string; stack?: string }): void;
  end(): void;
}

/** An OpenTelemetry `Tracer`, by the member Larder calls. */
export interface OtelTracer {
  startSpan(
    name: string,
    options: { kind: number; attributes: Record<string, OtelAttributeValue> },
    context: OtelContext,
  ): OtelSpan;
}

/** The @opentelemetry/api module, by the members Larder uses. */
export interface OtelApi {
  trace: {
    getTracer(name: string): OtelTracer;
    setSpan(context: OtelContext, span: OtelSpan): OtelContext;
    getSpan(context: OtelContext): OtelSpan | undefined;
  };
  context: {
    active(): OtelContext;
    with<R>(context: OtelContext, fn: () => R): R;
  };
  SpanKind: { INTERNAL: number };
  SpanStatusCode: { ERROR: number };
}

/** @opentelemetry/api, or `null` when it is not installed. Called only when tracing is on. */
export function loadOtelApi(): OtelApi | null {
  return loadOptionalPeer<OtelApi>('@opentelemetry/api');
}
