import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { overridableModule } from '../common/provider-overrides';
import { UserRegistryService } from './user-registry.service';

@Module({})
export class RegistryModule {
  static forRoot(overrides: Provider[] = []): DynamicModule {
    return overridableModule(RegistryModule, [UserRegistryService], overrides);
  }
}
