// Sites: the websites an account tracks. Pure: no I/O.

/** The longest host name DNS allows, in characters. */
export const domainCharsMax = 253;
/** What a customer may type: a host name, or a URL whose host is taken. */
export const domainInputCharsMax = 2048;

const labelPattern = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * The site's host name as stored: lowercase, without scheme, port, path or trailing dot
 * (`https://WWW.Example.com:443/shop` → `www.example.com`); internationalized names in their
 * punycode form. Null when the text names no host.
 */
export function normalizeDomain(text: string): string | null {
  const trimmed = text.trim();
  if (trimmed.length === 0 || trimmed.length > domainInputCharsMax) return null;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  let host: string;
  try {
    const url = new URL(withScheme);
    if (url.username || url.password) return null;
    host = url.hostname.toLowerCase().replace(/\.$/, '');
  } catch {
    return null;
  }
  if (host.length === 0 || host.length > domainCharsMax) return null;
  if (!host.split('.').every((label) => labelPattern.test(label))) return null;
  return host;
}
