/*
 * The session cookie is HttpOnly, so the page cannot see whether it has one. This flag, kept
 * beside it, says whether a sign-in happened in this browser: without it there is no session to
 * restore, and asking would only earn a 401 (which browsers log as an error) and a round trip.
 */
const signedInFlag = 'switchyard-signed-in';

export function rememberSignedIn(signedIn: boolean): void {
  try {
    if (signedIn) localStorage.setItem(signedInFlag, '1');
    else localStorage.removeItem(signedInFlag);
  } catch {
    // Without storage every load asks the API, which is merely slower.
  }
}

export function mayBeSignedIn(): boolean {
  try {
    return localStorage.getItem(signedInFlag) !== null;
  } catch {
    return true;
  }
}
