import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { NO_OVERRIDES, overridableModule } from '../common/provider-overrides';
import { MetricsModule } from '../metrics/metrics.module';
import { AccountHooks } from './account-hooks.service';
import { HookFailures } from './hook-list';
import { MessageHooks } from './message-hooks.service';

/**
 * The hook chains, apart from ExtensionsModule so that the chat module (which runs the message
 * hooks) can import them while ExtensionsModule imports chat (MessageSender sends through it).
 */
@Module({})
export class HooksModule {
  static forRoot(overrides: readonly Provider[] = NO_OVERRIDES): DynamicModule {
    return overridableModule(HooksModule, overrides, () => ({
      // ParleyMetrics counts failed hooks; AccountActivity feeds the account hooks.
      imports: [MetricsModule.forRoot(overrides), AuthModule.forRoot(overrides)],
      providers: [HookFailures, MessageHooks, AccountHooks],
      exports: [MessageHooks, AccountHooks],
    }));
  }
}
