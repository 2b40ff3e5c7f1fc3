/** Domains whose mailboxes ignore dots and +tags in the local part. */
const GMAIL_STYLE_DOMAINS: readonly string[] = ['gmail.com', 'googlemail.com'];

/**
 * The mailbox an address delivers to: case-folded; for Gmail-style domains also without dots
 * and +tags in the local part (and googlemail.com as gmail.com). Null for a non-address.
 */
export const normalizeEmail = (email: string, gmailStyle: readonly string[] = GMAIL_STYLE_DOMAINS): string | null => {
  const trimmed = email.trim().toLowerCase();
  const at = trimmed.lastIndexOf('@');
  if (at <= 0 || at === trimmed.length - 1) return null;
  let local = trimmed.slice(0, at);
  let domain = trimmed.slice(at + 1);
  if (gmailStyle.includes(domain)) {
    local = local.split('+')[0]?.replaceAll('.', '') ?? '';
    if (domain === 'googlemail.com') domain = 'gmail.com';
  }
  return local ? `${local}@${domain}` : null;
};
