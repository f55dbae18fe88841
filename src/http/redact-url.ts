const SECRET_PARAM = /(token|key|secret|password|passwd|auth|signature|sig|code|session)/i;

/** A URL safe to print: no userinfo, and the values of secret-looking query parameters replaced. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '<invalid url>';
  }
  if (parsed.username || parsed.password) {
    parsed.username = '';
    parsed.password = '';
  }
  for (const key of [...parsed.searchParams.keys()]) {
    if (SECRET_PARAM.test(key)) parsed.searchParams.set(key, 'REDACTED');
  }
  return parsed.toString();
}
