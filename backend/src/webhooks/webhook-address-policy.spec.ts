import { ErrorCodes } from '@parley/contract';
import { AppConfig } from '../config/app-config';
import { ParleyError } from '../common/parley-error';
import { type PinnedAddress, WebhookAddressPolicy } from './webhook-address-policy';

/** The policy with a made-up DNS: each name answers the addresses given here. */
class PolicyWithDns extends WebhookAddressPolicy {
  constructor(
    allowed: string,
    private readonly dns: Record<string, PinnedAddress[]>,
  ) {
    super(AppConfig.fromEnv({ PARLEY_WEBHOOK_ALLOWED_HOSTS: allowed }));
  }

  protected override async lookup(host: string): Promise<PinnedAddress[]> {
    const found = this.dns[host];
    if (!found) throw new Error(`ENOTFOUND ${host}`);
    return found;
  }
}

const v4 = (address: string): PinnedAddress => ({ address, family: 4 });
const v6 = (address: string): PinnedAddress => ({ address, family: 6 });

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ParleyError);
  expect((error as ParleyError).code).toBe(ErrorCodes.WebhookAddressNotAllowed);
  return (error as ParleyError).message;
}

describe('WebhookAddressPolicy', () => {
  const dns = {
    'hooks.example.lan': [v4('203.0.113.9')],
    'inside.example.lan': [v4('10.1.2.3'), v6('fd00::3')],
    'split.example.lan': [v4('10.1.2.3'), v4('192.168.0.1')],
    'rebound.example.lan': [v4('127.0.0.1')],
  };
  const policy = new PolicyWithDns('hooks.example.lan, 10.0.0.0/8, fd00::/8, 198.51.100.7', dns);

  it('refuses every URL while PARLEY_WEBHOOK_ALLOWED_HOSTS is empty, and names the variable', async () => {
    const off = new PolicyWithDns('', dns);
    expect(await refusal(off.check('http://10.1.2.3/hook'))).toMatch(/off: PARLEY_WEBHOOK_ALLOWED_HOSTS is empty/);
  });

  it('allows a listed name whatever it resolves to, and connects to the address it resolved', async () => {
    expect(await policy.resolve(new URL('https://hooks.example.lan/in'))).toEqual(v4('203.0.113.9'));
  });

  it('allows another name only when every address it resolves to is in a listed range', async () => {
    expect(await policy.resolve(new URL('http://inside.example.lan:8080/'))).toEqual(v4('10.1.2.3'));
    expect(await refusal(policy.check('http://split.example.lan/'))).toBe('split.example.lan resolves to 192.168.0.1, which is not in PARLEY_WEBHOOK_ALLOWED_HOSTS (nor is the name).');
    expect(await refusal(policy.check('http://nowhere.example.lan/'))).toBe('nowhere.example.lan does not resolve to an address.');
  });

  it('checks IP literals against the addresses and ranges, IPv6 in brackets included', async () => {
    expect(await policy.resolve(new URL('http://198.51.100.7/'))).toEqual(v4('198.51.100.7'));
    expect(await policy.resolve(new URL('http://[fd00::1]:9000/'))).toEqual(v6('fd00::1'));
    expect(await refusal(policy.check('http://198.51.100.8/'))).toMatch(/198.51.100.8 is not in PARLEY_WEBHOOK_ALLOWED_HOSTS/);
    expect(await refusal(policy.check('http://[::1]/'))).toMatch(/::1 is not in/);
  });

  it('never allows the unspecified address, even inside a listed range', async () => {
    const everything = new PolicyWithDns('0.0.0.0/0', dns);
    expect(await everything.resolve(new URL('http://192.0.2.1/'))).toEqual(v4('192.0.2.1'));
    expect(await refusal(everything.check('http://0.0.0.0:8080/'))).toMatch(/0.0.0.0 is not in/);
    expect(await refusal(everything.check('http://0.1.2.3:8080/'))).toMatch(/0.1.2.3 is not in/);
    const anyV6 = new PolicyWithDns('::/0', dns);
    expect(await refusal(anyV6.check('http://[::]:8080/'))).toMatch(/:: is not in/);
    expect(await refusal(anyV6.check('http://[0:0:0:0:0:0:0:0]:8080/'))).toMatch(/is not in/);
  });

  it('checks an IPv4-mapped IPv6 address as the IPv4 address it reaches (URL writes ::ffff:0.0.0.0 as ::ffff:0:0)', async () => {
    const everything = new PolicyWithDns('0.0.0.0/0, ::/0', dns);
    expect(await refusal(everything.check('http://[::ffff:0.0.0.0]:8080/'))).toMatch(/::ffff:0:0 is not in/);
    expect(await refusal(everything.check('http://[::ffff:0:0]:8080/'))).toMatch(/is not in/);
    expect(await refusal(everything.check('http://[0:0:0:0:0:ffff:0:1]/'))).toMatch(/is not in/);
    // Checked against the IPv4 ranges, and answered as the IPv4 address to connect to.
    const ranges = new PolicyWithDns('10.0.0.0/8, fd00::/8', dns);
    expect(await ranges.resolve(new URL('http://[::ffff:10.1.2.3]/'))).toEqual(v4('10.1.2.3'));
    expect(await refusal(ranges.check('http://[::ffff:127.0.0.1]/'))).toMatch(/::ffff:7f00:1 is not in/);
    const mapped = new PolicyWithDns('10.0.0.0/8', { 'mapped.example.lan': [v6('::ffff:127.0.0.1')] });
    expect(await refusal(mapped.check('http://mapped.example.lan/'))).toMatch(/resolves to 127.0.0.1/);
  });

  it('never connects to a listed name that resolves to the unspecified address', async () => {
    const listed = new PolicyWithDns('zero.example.lan, six.example.lan', {
      'zero.example.lan': [v4('0.0.0.0')],
      'six.example.lan': [v6('::ffff:0.0.0.0')],
    });
    expect(await refusal(listed.check('http://zero.example.lan:8080/'))).toMatch(/resolves to 0.0.0.0, which means this machine/);
    expect(await refusal(listed.check('http://six.example.lan:8080/'))).toMatch(/resolves to 0.0.0.0, which means this machine/);
  });

  it('refuses credentials in the URL', async () => {
    expect(await refusal(policy.check('http://user:secret@hooks.example.lan/'))).toMatch(/user name or password/);
  });

  it('refuses a name that resolves outside the list at delivery time, though it was allowed before (DNS rebinding)', async () => {
    const narrow = new PolicyWithDns('10.0.0.0/8', { ...dns, 'rebound.example.lan': [v4('10.9.9.9')] });
    expect(await narrow.resolve(new URL('http://rebound.example.lan/'))).toEqual(v4('10.9.9.9'));
    const rebound = new PolicyWithDns('10.0.0.0/8', dns);
    expect(await refusal(rebound.resolve(new URL('http://rebound.example.lan/')))).toMatch(/resolves to 127.0.0.1/);
  });
});

describe('PARLEY_WEBHOOK_ALLOWED_HOSTS', () => {
  it('reads names, addresses and ranges, and refuses anything else naming the variable', () => {
    expect(AppConfig.fromEnv({ PARLEY_WEBHOOK_ALLOWED_HOSTS: ' Hooks.Example.LAN., 10.0.0.0/8 ,fd00::/8,127.0.0.1' }).values.PARLEY_WEBHOOK_ALLOWED_HOSTS).toEqual([
      'hooks.example.lan',
      '10.0.0.0/8',
      'fd00::/8',
      '127.0.0.1',
    ]);
    expect(AppConfig.fromEnv({}).values.PARLEY_WEBHOOK_ALLOWED_HOSTS).toEqual([]);
    for (const bad of ['10.0.0.0/33', 'http://hooks', 'fd00::/129', '10.0.0.0/8/8', 'a b']) {
      expect(() => AppConfig.fromEnv({ PARLEY_WEBHOOK_ALLOWED_HOSTS: bad })).toThrow(/PARLEY_WEBHOOK_ALLOWED_HOSTS/);
    }
  });
});
