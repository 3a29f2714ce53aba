import { Body, Controller, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { Authenticated } from '../auth/session.guard';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { ErrorCodes } from '../contract/protocol';
import { ApiError, ApiJsonBody, ApiJsonResponse } from '../openapi/api-docs';
import {
  createUserSchema,
  resetPasswordSchema,
  updateUserSchema,
  userListResponseSchema,
  usernameParamSchema,
  userResponseSchema,
  type CreateUserDto,
  type ResetPasswordDto,
  type UpdateUserDto,
} from './dto/user.dto';
import { toAdminUser } from './user.mapper';
import { UsersService } from './users.service';

/** User management; every route needs the manageUsers capability (admins by default). */
@Controller('api/users')
@Authenticated('manageUsers')
@ApiError(400, [ErrorCodes.InvalidPayload], 'The user name in the path or the body is invalid')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOperation({ summary: 'Every account' })
  @ApiJsonResponse(200, 'Every account', userListResponseSchema)
  async list() {
    return { users: (await this.users.list()).map(toAdminUser) };
  }

  @Post()
  @ApiOperation({ summary: 'Create an account' })
  @ApiJsonBody(createUserSchema)
  @ApiJsonResponse(201, 'Created', userResponseSchema)
  @ApiError(409, [ErrorCodes.UsernameTaken], 'The user name exists')
  async create(@Body(new ZodValidationPipe(createUserSchema)) body: CreateUserDto) {
    return { user: toAdminUser(await this.users.create(body)) };
  }

  @Patch(':username')
  @ApiOperation({ summary: 'Change an account', description: 'Disabling it or a new role signs the user out everywhere.' })
  @ApiJsonBody(updateUserSchema)
  @ApiJsonResponse(200, 'Changed', userResponseSchema)
  @ApiError(404, [ErrorCodes.NotFound], 'No such user')
  async update(
    @Param('username', new ZodValidationPipe(usernameParamSchema)) username: string,
    @Body(new ZodValidationPipe(updateUserSchema)) body: UpdateUserDto,
  ) {
    return { user: toAdminUser(await this.users.update(username, body)) };
  }

  /** Ends every session and closes every connection of the user; they must sign in again. */
  @Post(':username/sign-out')
  @HttpCode(204)
  @ApiOperation({ summary: 'Sign a user out everywhere' })
  @ApiJsonResponse(204, 'Every session ended, every connection closed')
  @ApiError(404, [ErrorCodes.NotFound], 'No such user')
  async signOut(@Param('username', new ZodValidationPipe(usernameParamSchema)) username: string) {
    await this.users.signOutEverywhere(username);
  }

  /** Sets a new password and signs the user out everywhere. */
  @Post(':username/password')
  @HttpCode(200)
  @ApiOperation({ summary: 'Set a new password', description: 'Also signs the user out everywhere.' })
  @ApiJsonBody(resetPasswordSchema)
  @ApiJsonResponse(200, 'Password set', userResponseSchema)
  @ApiError(404, [ErrorCodes.NotFound], 'No such user')
  async resetPassword(
    @Param('username', new ZodValidationPipe(usernameParamSchema)) username: string,
    @Body(new ZodValidationPipe(resetPasswordSchema)) body: ResetPasswordDto,
  ) {
    return { user: toAdminUser(await this.users.resetPassword(username, body.password)) };
  }
}
