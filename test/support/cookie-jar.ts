/** Cookies from Set-Cookie headers, as a browser would keep them (later ones replace earlier). */
export function cookieJar() {
  const jar = new Map<string, string>();
  return {
    take(headers: Headers) {
      for (const line of headers.getSetCookie()) {
        const [pair] = line.split(';');
        const at = pair.indexOf('=');
        const value = pair.slice(at + 1);
        // clearCookie sends an empty value that has already expired.
        if (value === '') jar.delete(pair.slice(0, at));
        else jar.set(pair.slice(0, at), value);
      }
    },
    get: (name: string) => jar.get(name),
    set: (name: string, value: string) => void jar.set(name, value),
    header: () => [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
  };
}

export type CookieJar = ReturnType<typeof cookieJar>;
