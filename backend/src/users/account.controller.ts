import { Body, Controller, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { ErrorCodes } from '@parley/contract';
import { type ChangePasswordDto, changePasswordSchema, meResponseSchema, type UpdateMeDto, updateMeSchema } from '@parley/contract/schemas';
import type { AuthContext } from '../auth/auth.service';
import { Authenticated, CurrentAuth } from '../auth/session.guard';
import { toPublicUser } from './user.mapper';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { ApiError, ApiJsonBody, ApiJsonResponse } from '../openapi/api-docs';
import { UsersService } from './users.service';

/** What every signed-in person may change of their own account (docs/protocol.md, "Your own account"). */
@Controller('api/me')
@Authenticated()
export class AccountController {
  constructor(private readonly users: UsersService) {}

  @Patch()
  @ApiOperation({ summary: 'Change your display name' })
  @ApiJsonBody(updateMeSchema)
  @ApiJsonResponse(200, 'The account as it is now', meResponseSchema)
  @ApiError(400, [ErrorCodes.InvalidPayload], 'The display name is empty, too long or not text')
  @ApiError(409, [ErrorCodes.DirectoryAccount, ErrorCodes.BotAccount], 'The name comes from the company directory (change it there), or the caller is a bot (an admin names it)')
  async update(@Body(new ZodValidationPipe(updateMeSchema)) body: UpdateMeDto, @CurrentAuth() auth: AuthContext) {
    const user = await this.users.changeOwnDisplayName(auth.user, body.display_name);
    return { user: toPublicUser(user), source: user.source };
  }

  @Post('password')
  @HttpCode(204)
  @ApiOperation({ summary: 'Change your password', description: 'Needs the current one. Every other session of the account is signed out; this one stays.' })
  @ApiJsonBody(changePasswordSchema)
  @ApiJsonResponse(204, 'Changed')
  @ApiError(400, [ErrorCodes.InvalidPayload, ErrorCodes.WrongPassword, ErrorCodes.WeakPassword], 'A field is missing, the current password is not right, or the new one is too easy to guess (the message says why)')
  @ApiError(409, [ErrorCodes.DirectoryAccount, ErrorCodes.BotAccount], 'The password lives in the company directory or the single sign-on provider (change it there), or the caller is a bot, which has none')
  @ApiError(429, [ErrorCodes.RateLimited], 'Five wrong current passwords within 15 minutes; Retry-After says when to try again')
  async changePassword(@Body(new ZodValidationPipe(changePasswordSchema)) body: ChangePasswordDto, @CurrentAuth() auth: AuthContext): Promise<void> {
    await this.users.changeOwnPassword(auth.user, auth.sessionId, body.current_password, body.new_password);
  }
}
