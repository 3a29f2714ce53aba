import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ChatModule } from '../chat/chat.module';
import { NO_OVERRIDES, overridableModule } from '../common/provider-overrides';
import { StorageModule } from '../storage/storage.module';
import { FileJanitor } from './file-janitor.service';
import { FileStore } from './file-store';
import { FilesController } from './files.controller';
import { FilesService } from './files.service';
import { ImageProcessor } from './image-processor';
import { UploadInterceptor } from './upload.interceptor';
import { ResumableUploadsController } from './resumable-uploads.controller';
import { ResumableUploads } from './resumable-uploads.service';

/**
 * Uploads, downloads and the clean-up of files no one can reach. Imports ChatModule for
 * MessageAccess (who may see the message carrying a file); attaching files to a message is
 * ChatModule's (MessageAttachments), through FileRepository. Exports FileJanitor for the
 * message changes and retention modules, which remove messages and so their files.
 */
@Module({})
export class FilesModule {
  static forRoot(overrides: readonly Provider[] = NO_OVERRIDES): DynamicModule {
    return overridableModule(FilesModule, overrides, () => ({
      imports: [StorageModule.forRoot(overrides), AuthModule.forRoot(overrides), ChatModule.forRoot(overrides)],
      controllers: [FilesController, ResumableUploadsController],
      providers: [FilesService, FileStore, ImageProcessor, FileJanitor, UploadInterceptor, ResumableUploads],
      exports: [FileJanitor, FileStore],
    }));
  }
}
