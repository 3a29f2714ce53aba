import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { overridableModule } from '../common/provider-overrides';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({})
export class UsersModule {
  static forRoot(overrides: Provider[] = []): DynamicModule {
    return overridableModule(UsersModule, [UsersService], overrides, { controllers: [UsersController] });
  }
}
