import { Injectable, type PipeTransform } from '@nestjs/common';
import { type EditMessageDto, editMessageSchema } from '@parley/contract/schemas';
import { assertMessageSize } from '../chat/send-message.pipe';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { AppConfig } from '../config/app-config';

/** edit_message's schema plus the size limit send_message has: an edit cannot grow a message past it. */
@Injectable()
export class EditMessagePipe implements PipeTransform<unknown, EditMessageDto> {
  private readonly schema = new ZodValidationPipe(editMessageSchema);

  constructor(private readonly config: AppConfig) {}

  transform(value: unknown): EditMessageDto {
    const dto = this.schema.transform(value);
    assertMessageSize(dto.message, this.config.values.PARLEY_MAX_MESSAGE_BYTES);
    return dto;
  }
}
