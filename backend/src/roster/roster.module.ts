import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { overridableModule } from '../common/provider-overrides';
import { RosterController } from './roster.controller';
import { RosterService } from './roster.service';

@Module({})
export class RosterModule {
  static forRoot(overrides: Provider[] = []): DynamicModule {
    return overridableModule(RosterModule, [RosterService], overrides, { controllers: [RosterController] });
  }
}
