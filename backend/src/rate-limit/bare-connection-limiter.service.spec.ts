import { EventEmitter } from 'node:events';
import { AppConfig } from '../config/app-config';
import { BareConnectionLimiter } from './bare-connection-limiter.service';

describe('BareConnectionLimiter', () => {
  const limiter = () => new BareConnectionLimiter(AppConfig.fromEnv({ PARLEY_UNVERIFIED_SOCKETS_PER_IP: '2' }));

  it('admits an address up to the limit, each address on its own', () => {
    const bare = limiter();
    bare.track(new EventEmitter(), '10.0.0.1');
    expect(bare.admits('10.0.0.1')).toBe(true);
    bare.track(new EventEmitter(), '10.0.0.1');
    expect(bare.admits('10.0.0.1')).toBe(false);
    expect(bare.admits('10.0.0.2')).toBe(true);
  });

  it('frees a slot once when the connection joins and again closes, or just closes', () => {
    const bare = limiter();
    const joining = new EventEmitter();
    const closing = new EventEmitter();
    bare.track(joining, '10.0.0.1');
    bare.track(closing, '10.0.0.1');
    bare.joined(joining);
    joining.emit('close');
    expect(bare.heldBy('10.0.0.1')).toBe(1);
    closing.emit('close');
    expect(bare.heldBy('10.0.0.1')).toBe(0);
  });
});
