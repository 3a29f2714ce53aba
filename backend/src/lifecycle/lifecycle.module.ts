import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { overridableModule } from '../common/provider-overrides';
import { ShutdownService } from './shutdown.service';

/** The server's own life: a graceful shutdown before Nest closes the modules. */
@Module({})
export class LifecycleModule {
  static forRoot(overrides: Provider[] = []): DynamicModule {
    return overridableModule(LifecycleModule, [ShutdownService], overrides);
  }
}
