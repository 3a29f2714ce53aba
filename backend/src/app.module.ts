import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { AuthModule } from './auth/auth.module';
import { ChatModule } from './chat/chat.module';
import { ParleyConfigModule } from './config/config.module';
import { LifecycleModule } from './lifecycle/lifecycle.module';
import { PermissionsModule } from './permissions/permissions.module';
import { RealtimeModule } from './realtime/realtime.module';
import { RegistryModule } from './registry/registry.module';
import { RosterModule } from './roster/roster.module';
import { StorageModule } from './storage/storage.module';
import { UsersModule } from './users/users.module';
import { WebAppModule } from './web/web-app.module';

export interface ParleyModuleOptions {
  /** Settings that win over the environment (tests, embedding). Same names as the variables. */
  env?: Record<string, string>;
  /**
   * Providers replacing Parley's own, matched by token: e.g.
   * `{ provide: PermissionPolicy, useClass: MyPolicy }`. See docs/architecture.md.
   */
  overrides?: Provider[];
}

@Module({})
export class AppModule {
  static forRoot(options: ParleyModuleOptions = {}): DynamicModule {
    const overrides = options.overrides ?? [];
    return {
      module: AppModule,
      imports: [
        ParleyConfigModule.forRoot(options.env),
        StorageModule.forRoot(overrides),
        RealtimeModule.forRoot(overrides),
        RegistryModule.forRoot(overrides),
        PermissionsModule.forRoot(overrides),
        RosterModule.forRoot(overrides),
        AuthModule.forRoot(overrides),
        UsersModule.forRoot(overrides),
        ChatModule.forRoot(overrides),
        LifecycleModule.forRoot(overrides),
        WebAppModule.forRoot(),
      ],
    };
  }
}
