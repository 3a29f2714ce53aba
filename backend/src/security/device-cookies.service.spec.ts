import { newTestService } from '../testing/new-test-service';
import { DeviceCookies } from './device-cookies.service';

describe('DeviceCookies', () => {
  const withKey = async (byte: number) => {
    // The key is the only thing the repository provides; its SQL is tested in storage/.
    const { sut: devices, mocks } = newTestService(DeviceCookies);
    mocks.serverSecret.getOrCreate.mockResolvedValue(Buffer.alloc(32, byte));
    await devices.onApplicationBootstrap();
    return devices;
  };
  const headers = (value: string) => ({ cookie: `parley_session=x; parley_device=${value}; XSRF-TOKEN=y` });

  it('recognizes its own cookie for the name it was issued to, in any spelling', async () => {
    const devices = await withKey(1);
    const cookie = devices.create('Admin ');
    expect(cookie.startsWith('admin.')).toBe(true);
    const device = devices.deviceFor(headers(cookie), 'ADMIN');
    expect(device).toBe(cookie.split('.')[1]);
    expect(devices.deviceFor(headers(cookie), 'admin ')).toBe(device);
  });

  it('handles user names with dots', async () => {
    const devices = await withKey(1);
    const cookie = devices.create('j.doe.2');
    expect(devices.deviceFor(headers(cookie), 'j.doe.2')).not.toBeNull();
    expect(devices.deviceFor(headers(cookie), 'j.doe')).toBeNull();
  });

  it("refuses another user's cookie, a changed one, another server's, and garbage", async () => {
    const devices = await withKey(1);
    const fays = devices.create('fay');
    const [, nonce, mac] = fays.split('.');
    expect(devices.deviceFor(headers(fays), 'erin')).toBeNull();
    expect(devices.deviceFor(headers(`erin.${nonce}.${mac}`), 'erin')).toBeNull();
    expect(devices.deviceFor(headers(`fay.${nonce}x.${mac}`), 'fay')).toBeNull();
    expect(devices.deviceFor(headers((await withKey(2)).create('fay')), 'fay')).toBeNull();
    for (const garbage of ['', 'fay', 'fay..', '.a.b', `fay.${nonce}.${mac}${'A'.repeat(200)}`]) {
      expect(devices.deviceFor(headers(garbage), 'fay')).toBeNull();
    }
    expect(devices.deviceFor({}, 'fay')).toBeNull();
  });
});
