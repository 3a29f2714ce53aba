import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { NO_OVERRIDES, overridableModule } from '../common/provider-overrides';
import { UserRegistryService } from './user-registry.service';

/** Who is connected to this node right now; depends on nothing. */
@Module({})
export class RegistryModule {
  static forRoot(overrides: readonly Provider[] = NO_OVERRIDES): DynamicModule {
    return overridableModule(RegistryModule, overrides, () => ({
      providers: [UserRegistryService],
      exports: [UserRegistryService],
    }));
  }
}
