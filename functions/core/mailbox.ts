// The mailbox an address delivers to: the key the per-address limit and dedupe work on, so aliases
// of one inbox count as one. Plain string rules, no dependencies (the drip and feedback bundles use it).

// Providers whose addresses ignore dots in the local part, and the domain each is an alias of
// (Gmail: "Dots don't matter in Gmail addresses"; googlemail.com is the same mailbox).
const DOTLESS_DOMAINS: Record<string, string> = { 'gmail.com': 'gmail.com', 'googlemail.com': 'gmail.com' };

/**
 * The mailbox an address delivers to, for limits and dedupe only (mail still goes to the address as
 * typed): lower case; a `+tag` removed (RFC 5233 subaddressing, which most providers follow); for
 * Gmail and Googlemail the dots removed and the domain `gmail.com`. `A.Nn+x@GoogleMail.com` →
 * `ann@gmail.com`. Input: a normalised (ASCII-domain) address.
 */
export function mailboxKey(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return email.toLowerCase();
  let local = email.slice(0, at).toLowerCase();
  let domain = email.slice(at + 1).toLowerCase();
  const plus = local.indexOf('+');
  if (plus > 0) local = local.slice(0, plus);
  const alias = DOTLESS_DOMAINS[domain];
  if (alias !== undefined) {
    domain = alias;
    local = local.replace(/\./g, '');
  }
  return `${local}@${domain}`;
}
