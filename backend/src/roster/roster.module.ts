import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { overridableModule } from '../common/provider-overrides';
import { RosterController } from './roster.controller';
import { RosterGateway } from './roster.gateway';
import { RosterService } from './roster.service';

@Module({})
export class RosterModule {
  static forRoot(overrides: Provider[] = []): DynamicModule {
    const module = overridableModule(RosterModule, [RosterService], overrides, { controllers: [RosterController] });
    return { ...module, providers: [...(module.providers ?? []), RosterGateway] };
  }
}
