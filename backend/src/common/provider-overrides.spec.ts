import { Injectable, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { overridableModule } from './provider-overrides';

@Injectable()
class Clock {}
@Injectable()
class FakeClock extends Clock {}
@Injectable()
class Calendar {}

@Module({})
class TimeModule {
  static forRoot(overrides: readonly Provider[]): DynamicModule {
    return overridableModule(TimeModule, overrides, () => ({ providers: [Clock, Calendar], exports: [Clock] }));
  }
}

describe('overridableModule', () => {
  it('binds the replacement under the token it replaces, which stays exported', () => {
    const module = TimeModule.forRoot([{ provide: Clock, useClass: FakeClock }]);
    expect(module.providers).toEqual([Calendar, { provide: Clock, useClass: FakeClock }]);
    expect(module.exports).toEqual([Clock]);
    expect(module.global).toBeUndefined();
  });

  it('ignores overrides for other modules\' tokens', () => {
    class Elsewhere {}
    expect(TimeModule.forRoot([{ provide: Elsewhere, useValue: 1 }]).providers).toEqual([Clock, Calendar]);
  });

  it('hands every importer the same module for one overrides list, and builds it once', () => {
    const overrides: Provider[] = [];
    const define = jest.fn(() => ({ providers: [Clock] }));
    @Module({})
    class Counted {}
    const first = overridableModule(Counted, overrides, define);
    expect(overridableModule(Counted, overrides, define)).toBe(first);
    expect(define).toHaveBeenCalledTimes(1);
    // Another app (another list) gets its own.
    expect(overridableModule(Counted, [], define)).not.toBe(first);
  });
});
