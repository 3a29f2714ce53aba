import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCookieAuth, ApiResponse, type SchemaObject } from '@nestjs/swagger';
import { z } from 'zod';
import { type ErrorCode, ErrorCodes, type RoleCapabilities } from '@parley/contract';

/**
 * OpenAPI decorators fed by the zod schemas the code already validates with, so the
 * description cannot drift from what the server accepts and returns.
 */
export function openApiSchema(schema: z.ZodType, io: 'input' | 'output' = 'output'): SchemaObject {
  // 'any' for what JSON Schema cannot express (a transform's output); the input side is exact.
  const json = z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return json as SchemaObject;
}

/** The REST error body, `{statusCode, code, message}`, for one status and its possible codes. */
export function errorBodySchema(status: number, codes: readonly ErrorCode[]) {
  return z.object({
    statusCode: z.literal(status),
    code: z.enum(codes as [ErrorCode, ...ErrorCode[]]),
    message: z.string().describe('For people; the code is the stable part'),
  });
}

/** One error response: its status, the codes it can carry, and when it happens. */
export const ApiError = (status: number, codes: readonly ErrorCode[], description: string) =>
  ApiResponse({ status, description: `${description} (${codes.join(', ')})`, schema: openApiSchema(errorBodySchema(status, codes)) });

/** A JSON request body, and the two ways it can be refused before the handler runs. */
export const ApiJsonBody = (schema: z.ZodType) =>
  applyDecorators(
    ApiBody({ schema: openApiSchema(schema, 'input') }),
    ApiError(400, [ErrorCodes.InvalidPayload], 'The body does not match the schema'),
    ApiError(413, [ErrorCodes.InvalidPayload], 'The body is over 64 KiB'),
  );

export const ApiJsonResponse = (status: number, description: string, schema?: z.ZodType) =>
  ApiResponse({ status, description, ...(schema ? { schema: openApiSchema(schema) } : {}) });

/**
 * What `@Authenticated()` demands, as OpenAPI sees it: a session (bearer token or cookie), and
 * for a capability, a role that has it. Applied by `Authenticated` itself, so every guarded
 * route is described as guarded.
 */
export function ApiSession(capability?: keyof RoleCapabilities) {
  return applyDecorators(
    ApiBearerAuth(),
    ApiCookieAuth(),
    ApiError(401, [ErrorCodes.Unauthenticated], 'No session, or it expired or was revoked'),
    ...(capability
      ? [ApiError(403, [ErrorCodes.Forbidden], `Signed in, but the role lacks the ${capability} capability (admins only by default)`)]
      : []),
  );
}
