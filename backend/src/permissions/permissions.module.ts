import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { overridableModule } from '../common/provider-overrides';
import { PermissionPolicy, TablePermissionPolicy } from './permission-policy';

@Module({})
export class PermissionsModule {
  static forRoot(overrides: Provider[] = []): DynamicModule {
    return overridableModule(
      PermissionsModule,
      [{ provide: PermissionPolicy, useClass: TablePermissionPolicy }],
      overrides,
    );
  }
}
