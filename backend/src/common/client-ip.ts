/** An address as people read it: IPv4 clients on a dual-stack socket arrive as ::ffff:a.b.c.d. */
export function clientIp(address: string | undefined): string | null {
  return address ? address.replace(/^::ffff:/, '') : null;
}
