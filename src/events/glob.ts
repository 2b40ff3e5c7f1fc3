/**
 * Event-type patterns: `*` matches everything, a pattern ending in `*` (`referral:*`,
 * `referral:code.*`) matches by prefix, anything else matches exactly.
 */
export const matchesEventPattern = (pattern: string, type: string): boolean => {
  if (pattern === '*') return true;
  if (pattern.endsWith('*')) return type.startsWith(pattern.slice(0, -1));
  return pattern === type;
};
