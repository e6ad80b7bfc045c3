/** Only same-site paths: a sign-in link must not bounce people to another site. */
export function safeCallbackUrl(value: string | string[] | undefined): string {
  const url = Array.isArray(value) ? value[0] : value;
  if (!url || !url.startsWith('/') || url.startsWith('//') || url.startsWith('/\\') || url.startsWith('/sign-in')) return '/overview';
  return url;
}
