import type { PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { ErrorCodes } from '@parley/contract';
import { ParleyError } from './parley-error';

/** Longest error text sent back: a description of the problem, never an echo of the input. */
const MAX_DETAIL = 300;

/** Parses REST bodies and socket payloads against a zod schema; the one place input is checked. */
export class ZodValidationPipe<T extends z.ZodType> implements PipeTransform<unknown, z.infer<T>> {
  constructor(private readonly schema: T) {}

  transform(value: unknown): z.infer<T> {
    const result = this.schema.safeParse(value);
    if (result.success) return result.data;
    const detail = result.error.issues
      .slice(0, 3)
      .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
      .join('; ');
    throw new ParleyError(ErrorCodes.InvalidPayload, `Invalid payload: ${detail}`.slice(0, MAX_DETAIL));
  }
}
