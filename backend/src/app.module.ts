import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { AnnouncementsModule } from './announcements/announcements.module';
import { BotsModule } from './bots/bots.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { ChannelsModule } from './channels/channels.module';
import { ChatModule } from './chat/chat.module';
import { ClusterModule } from './cluster/cluster.module';
import { ParleyConfigModule } from './config/config.module';
import { HealthModule } from './health/health.module';
import { LoggingModule } from './logging/logging.module';
import type { LogOptions } from './logging/parley-logger.service';
import { MessagesModule } from './messages/messages.module';
import { MetricsModule } from './metrics/metrics.module';
import { LifecycleModule } from './lifecycle/lifecycle.module';
import { PermissionsModule } from './permissions/permissions.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { RealtimeModule } from './realtime/realtime.module';
import { RegistryModule } from './registry/registry.module';
import { SearchModule } from './search/search.module';
import { FilesModule } from './files/files.module';
import { RetentionModule } from './retention/retention.module';
import { RosterModule } from './roster/roster.module';
import { SecurityModule } from './security/security.module';
import { StorageModule } from './storage/storage.module';
import { DirectoryModule } from './directory/directory.module';
import { extensionModule, type LoadedExtension } from './extensions/extension-loader';
import { ExtensionsModule } from './extensions/extensions.module';
import { UsersModule } from './users/users.module';
import { WebAppModule } from './web/web-app.module';
import { WebhooksModule } from './webhooks/webhooks.module';
import { IncomingWebhooksModule } from './incoming-webhooks/incoming-webhooks.module';

export interface ParleyModuleOptions {
  /** Settings that win over the environment (tests, embedding). Same names as the variables. */
  env?: Record<string, string>;
  /**
   * Providers replacing Parley's own, matched by token: e.g.
   * `{ provide: PermissionPolicy, useClass: MyPolicy }`. See docs/architecture.md.
   */
  overrides?: Provider[];
  /** Where the JSON log goes and its level; defaults to standard output and PARLEY_LOG_LEVEL. */
  log?: LogOptions;
  /** PARLEY_EXTENSIONS, loaded (createParleyApp does it): imported last, in this order; their overrides after `overrides`. */
  extensions?: LoadedExtension[];
}

/**
 * The whole server: every feature module, each importing what it uses (see its forRoot). Listed
 * here so that the app is the sum of its features, also those nothing else imports (health,
 * lifecycle, the web app); a module imported twice is still one module (provider-overrides.ts).
 */
@Module({})
export class AppModule {
  static forRoot(options: ParleyModuleOptions = {}): DynamicModule {
    const extensions = options.extensions ?? [];
    const extensionOverrides = extensions.flatMap((extension) => extension.overrides);
    const overrides = extensionOverrides.length > 0 ? [...(options.overrides ?? []), ...extensionOverrides] : (options.overrides ?? []);
    return {
      module: AppModule,
      imports: [
        ParleyConfigModule.forRoot(options.env),
        LoggingModule.forRoot(options.log, overrides),
        StorageModule.forRoot(overrides),
        RateLimitModule.forRoot(overrides),
        ClusterModule.forRoot(overrides),
        RealtimeModule.forRoot(overrides),
        RegistryModule.forRoot(overrides),
        PermissionsModule.forRoot(overrides),
        RosterModule.forRoot(overrides),
        SecurityModule.forRoot(overrides),
        AuthModule.forRoot(overrides),
        AuditModule.forRoot(overrides),
        UsersModule.forRoot(overrides),
        BotsModule.forRoot(overrides),
        DirectoryModule.forRoot(overrides),
        ChatModule.forRoot(overrides),
        ChannelsModule.forRoot(overrides),
        MessagesModule.forRoot(overrides),
        AnnouncementsModule.forRoot(overrides),
        RetentionModule.forRoot(overrides),
        SearchModule.forRoot(overrides),
        FilesModule.forRoot(overrides),
        WebhooksModule.forRoot(overrides),
        IncomingWebhooksModule.forRoot(overrides),
        MetricsModule.forRoot(overrides),
        HealthModule.forRoot(overrides),
        LifecycleModule.forRoot(overrides),
        WebAppModule.forRoot(),
        ExtensionsModule.forRoot(overrides),
        ...extensions.map((extension, position) => extensionModule(extension, position, overrides)),
      ],
    };
  }
}
