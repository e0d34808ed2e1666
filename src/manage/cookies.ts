/** The dashboard's session cookie; it holds the session token and nothing else. */
export const sessionCookieName = 'switchyard_session';

/** The value of one cookie in a `Cookie` request header, if it is there. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const separator = part.indexOf('=');
    if (separator < 0 || part.slice(0, separator).trim() !== name) continue;
    const value = part.slice(separator + 1).trim();
    // Session tokens are base64url and never quoted; anything else is not one of ours.
    return value.length > 0 ? value : undefined;
  }
  return undefined;
}

/**
 * A `Set-Cookie` value for the session: HttpOnly so page scripts cannot read it, SameSite=Lax so
 * other sites' forms do not carry it, and Secure whenever the request came over HTTPS.
 */
export function sessionCookie(token: string, options: { secure: boolean; maxAgeSeconds: number }) {
  const attributes = [
    `${sessionCookieName}=${token}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    `Max-Age=${options.maxAgeSeconds}`,
  ];
  if (options.secure) attributes.push('Secure');
  return attributes.join('; ');
}

/** A `Set-Cookie` value that makes the browser forget the session cookie. */
export function clearedSessionCookie(options: { secure: boolean }): string {
  return sessionCookie('', { secure: options.secure, maxAgeSeconds: 0 });
}
