import { AllowedHosts, hostnameOf } from './allowed-hosts';

describe('AllowedHosts', () => {
  const hosts = AllowedHosts.fromConfig({ PARLEY_ALLOWED_HOSTS: ['chat.example.lan'], PARLEY_PUBLIC_URL: 'https://Parley.Example.org:8443/' }, 'box.corp.example');

  it.each(['localhost', 'LocalHost:80', 'x.localhost', '10.1.2.3:8080', '[fe80::1]:80', 'box', 'box.local', 'box.corp.example:1', 'chat.example.lan.', 'parley.example.org', undefined])(
    'allows %p',
    (host) => expect(hosts.allows(host)).toBe(true),
  );

  it.each(['evil.example', 'localhost.evil.example', 'box.evil', '', 'a b', 'user@localhost', 'localhost:port', '[localhost]'])('refuses %p', (host) =>
    expect(hosts.allows(host)).toBe(false),
  );

  it('allows everything with *', () => {
    expect(AllowedHosts.fromConfig({ PARLEY_ALLOWED_HOSTS: ['*'], PARLEY_PUBLIC_URL: undefined }).allows('evil.example')).toBe(true);
  });

  it("knows Parley's own origins: the requested host's, when allowed, and the public URL's", () => {
    expect(hosts.isOwnOrigin('http://chat.example.lan:8080', 'chat.example.lan:8080')).toBe(true);
    expect(hosts.isOwnOrigin('https://parley.example.org:8443', 'parley.example.org')).toBe(true);
    expect(hosts.isOwnOrigin('http://evil.example', 'evil.example')).toBe(false);
    expect(hosts.isOwnOrigin('http://chat.example.lan:9', 'chat.example.lan:8080')).toBe(false);
    expect(hosts.isOwnOrigin('null', 'localhost')).toBe(false);
    expect(hosts.isOwnOrigin('http://localhost', undefined)).toBe(false);
  });

  it('reads a host name out of a Host header', () => {
    expect(hostnameOf('Example.org:8080')).toBe('example.org');
    expect(hostnameOf('[::1]:80')).toBe('::1');
    expect(hostnameOf('::1')).toBeNull();
  });
});
