import normalizeModule from 'validator/lib/normalizeEmail.js';

// A CommonJS module: its `module.exports` is the function, with the same function as `.default`.
const normalizeAddress = normalizeModule.default;

/** Providers validator does not know whose mailboxes also ignore a `+tag`. */
const PLUS_TAGGED: ReadonlySet<string> = new Set(['fastmail.com', 'fastmail.fm', 'proton.me', 'protonmail.com', 'pm.me']);

/**
 * The mailbox an address delivers to, by validator's `normalizeEmail` (case-folded; Gmail without
 * dots and `+tags`, googlemail.com as gmail.com; Outlook, Hotmail, Live and iCloud without `+tags`;
 * Yahoo without `-tags`), plus `+tags` of the providers above, and dots and `+tags` of any
 * `gmailStyle` domain (a Google Workspace domain, say). Null for a non-address.
 */
export const normalizeEmail = (email: string, gmailStyle: readonly string[] = []): string | null => {
  const normalized = normalizeAddress(email.trim());
  if (normalized === false) return null;
  const at = normalized.lastIndexOf('@');
  const domain = normalized.slice(at + 1);
  let local = at > 0 ? normalized.slice(0, at) : '';
  if (PLUS_TAGGED.has(domain) || gmailStyle.includes(domain)) local = local.split('+')[0] ?? '';
  if (gmailStyle.includes(domain)) local = local.replaceAll('.', '');
  return local && domain ? `${local}@${domain}` : null;
};
