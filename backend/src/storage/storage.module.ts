import { Global, Module } from '@nestjs/common';
import { DatabaseService } from './database.service';
import { MessageRepository } from './message.repository';
import { SessionRepository } from './session.repository';
import { UserRepository } from './user.repository';

/** The only module that touches the database. Everything else goes through its repositories. */
@Global()
@Module({
  providers: [DatabaseService, UserRepository, SessionRepository, MessageRepository],
  exports: [DatabaseService, UserRepository, SessionRepository, MessageRepository],
})
export class StorageModule {}
