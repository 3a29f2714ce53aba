import { Injectable, type PipeTransform } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { ErrorCodes } from '@parley/contract';
import { ParleyError } from '../common/parley-error';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { type SendMessageDto, sendMessageSchema } from '@parley/contract/schemas';

/** send_message's schema plus the configurable size limit, counted in UTF-8 bytes. */
@Injectable()
export class SendMessagePipe implements PipeTransform<unknown, SendMessageDto> {
  private readonly schema = new ZodValidationPipe(sendMessageSchema);
  private readonly maxBytes: number;

  constructor(config: AppConfig) {
    this.maxBytes = config.values.PARLEY_MAX_MESSAGE_BYTES;
  }

  transform(value: unknown): SendMessageDto {
    const dto = this.schema.transform(value);
    // Each UTF-16 unit is at most 3 UTF-8 bytes: skip counting when it cannot be too long.
    if (dto.message.length * 3 > this.maxBytes && Buffer.byteLength(dto.message) > this.maxBytes) {
      throw new ParleyError(ErrorCodes.MessageTooLong, `Messages are limited to ${this.maxBytes} bytes`);
    }
    return dto;
  }
}
