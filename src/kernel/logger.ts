/**
 * The logger shape pino, fastify.log and console share, object first: `error({ err }, 'message')`.
 * `debug` and `info` are optional, so a two-method stub is a logger too.
 */
export interface ReferralLogger {
  debug?(fields: Record<string, unknown>, message: string): void;
  info?(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}
