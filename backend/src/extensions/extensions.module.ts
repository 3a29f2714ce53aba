import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { ChatModule } from '../chat/chat.module';
import { NO_OVERRIDES, overridableModule } from '../common/provider-overrides';
import { UsersModule } from '../users/users.module';
import { AccountHooks } from './account-hooks.service';
import { HooksModule } from './hooks.module';
import { MessageHooks } from './message-hooks.service';
import { MessageSender } from './message-sender.service';

/** The app's own instances of what an extension may inject, under one token (see extensionModule). */
export const SHARED_EXTENSION_SERVICES = Symbol('SharedExtensionServices');
export interface SharedExtensionServices {
  messageHooks: MessageHooks;
  accountHooks: AccountHooks;
  sender: MessageSender;
}

/**
 * What extensions get: every extension module imports this (the loader adds it), and gets its
 * own handle on each service (extensionModule), so its hooks carry its name and place.
 */
@Module({})
export class ExtensionsModule {
  static forRoot(overrides: readonly Provider[] = NO_OVERRIDES): DynamicModule {
    return overridableModule(ExtensionsModule, overrides, () => ({
      imports: [HooksModule.forRoot(overrides), ChatModule.forRoot(overrides), UsersModule.forRoot(overrides)],
      providers: [MessageSender],
      fixedProviders: [
        {
          provide: SHARED_EXTENSION_SERVICES,
          useFactory: (messageHooks: MessageHooks, accountHooks: AccountHooks, sender: MessageSender): SharedExtensionServices => ({
            messageHooks,
            accountHooks,
            sender,
          }),
          inject: [MessageHooks, AccountHooks, MessageSender],
        },
      ],
      exports: [SHARED_EXTENSION_SERVICES],
    }));
  }
}
