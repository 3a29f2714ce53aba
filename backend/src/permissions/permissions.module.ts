import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { NO_OVERRIDES, overridableModule } from '../common/provider-overrides';
import { PermissionPolicy, TablePermissionPolicy } from './permission-policy';

/** Who may write to whom: the PermissionPolicy token, bound to the table (PARLEY_PERMISSIONS) unless replaced. */
@Module({})
export class PermissionsModule {
  static forRoot(overrides: readonly Provider[] = NO_OVERRIDES): DynamicModule {
    return overridableModule(PermissionsModule, overrides, () => ({
      providers: [{ provide: PermissionPolicy, useClass: TablePermissionPolicy }],
      exports: [PermissionPolicy],
    }));
  }
}
