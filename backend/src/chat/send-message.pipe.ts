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
    assertMessageSize(dto.message, this.maxBytes);
    return dto;
  }
}

/** MESSAGE_TOO_LONG past PARLEY_MAX_MESSAGE_BYTES (UTF-8): a new message's text, or an edit's. */
export function assertMessageSize(text: string, maxBytes: number): void {
  // Each UTF-16 unit is at most 3 UTF-8 bytes: skip counting when it cannot be too long.
  if (text.length * 3 > maxBytes && Buffer.byteLength(text) > maxBytes) {
    throw new ParleyError(ErrorCodes.MessageTooLong, `Messages are limited to ${maxBytes} bytes`);
  }
}
