import { SpanStatusCode, trace } from '@opentelemetry/api';
import { withDeadline } from '../events/publisher.js';
import { CallTimeoutError, isReferralError } from '../kernel/errors.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from '../kernel/version.js';
import { countingCommands } from '../store/scope.js';

/** Verbs the engine's `timeoutMS` does not bound: deploy-time index builds, and teardown. */
const UNBOUNDED = new Set(['syncIndexes', 'destroy', 'close']);

/** Spans are a no-op until the host registers an OpenTelemetry SDK. */
const tracer = trace.getTracer(PACKAGE_NAME, PACKAGE_VERSION);

/**
 * An expected refusal (a 4xx `ReferralError`: an unknown code, a self-referral, bad input) is an
 * outcome of the call, not a failure of the span; anything else is recorded as an exception.
 */
const isFailure = (error: unknown): boolean => !isReferralError(error) || error.status >= 500;

type Verb = (...args: never[]) => Promise<unknown>;

/**
 * One span per call of a public verb, named `referral.<verb>`, with tenant-free attributes only:
 * `referral.verb`, `referral.outcome` (`ok`, `null`, or the error code) and `referral.round_trips`;
 * a failure also gets `error.type`, an exception event and the ERROR status.
 */
const traced = <F extends Verb>(verb: string, call: F, timeoutMs: number | undefined): F => {
  const fn = (
    timeoutMs === undefined ? call : (...args: Parameters<F>) => withDeadline(call(...args), timeoutMs, () => new CallTimeoutError(verb, timeoutMs))
  ) as F;
  return ((...args: Parameters<F>) =>
    tracer.startActiveSpan(`referral.${verb}`, { attributes: { 'referral.verb': verb } }, async (span) => {
      if (!span.isRecording()) {
        span.end();
        return fn(...args);
      }
      const count = { commands: 0 };
      try {
        const result = await countingCommands(count, () => fn(...args));
        span.setAttribute('referral.outcome', result === null ? 'null' : 'ok');
        return result;
      } catch (error) {
        const outcome = isReferralError(error) ? error.code : 'error';
        span.setAttribute('referral.outcome', outcome);
        if (isFailure(error)) {
          span.recordException(error instanceof Error ? error : String(error));
          span.setAttribute('error.type', isReferralError(error) ? error.code : error instanceof Error ? error.name : 'error');
          span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
        }
        throw error;
      } finally {
        span.setAttribute('referral.round_trips', count.commands);
        span.end();
      }
    })) as F;
};

/**
 * Replaces each public method of `target` (own functions, and a class's prototype methods) by its
 * traced version, as an own non-enumerable property, so the object keeps its shape and type.
 */
export const instrument = <T extends object>(target: T, prefix: string, timeoutMs?: number): T => {
  const proto = Object.getPrototypeOf(target) as object | null;
  const names = [...Object.keys(target), ...(proto && proto !== Object.prototype ? Object.getOwnPropertyNames(proto) : [])];
  for (const name of names) {
    const value = (target as Record<string, unknown>)[name];
    // Only the async verbs: a synchronous member (startRelay's stop function) keeps its return type.
    if (name === 'constructor' || typeof value !== 'function' || value.constructor.name !== 'AsyncFunction') continue;
    const bound = (value as Verb).bind(target);
    Object.defineProperty(target, name, {
      value: traced(`${prefix}${name}`, bound, UNBOUNDED.has(name) ? undefined : timeoutMs),
      enumerable: Object.keys(target).includes(name),
      configurable: true,
      writable: true,
    });
  }
  return target;
};
