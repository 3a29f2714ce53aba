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
