import { Body, Controller, Delete, Get, HttpCode, Ip, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery } from '@nestjs/swagger';
import { AuditService } from '../audit/audit.service';
import type { AuthContext } from '../auth/auth.service';
import { Authenticated, CurrentAuth } from '../auth/session.guard';
import { clientIp } from '../common/client-ip';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { AuditActions, ErrorCodes } from '@parley/contract';
import { ApiError, ApiJsonBody, ApiJsonResponse } from '../openapi/api-docs';
import { type CreateUserDto, createUserSchema, type ResetPasswordDto, resetPasswordSchema, type UpdateUserDto, updateUserSchema, USER_PAGE, type UserListQueryDto, userListQuerySchema, userListResponseSchema, usernameParamSchema, userResponseSchema } from '@parley/contract/schemas';
import { toAdminUser } from './user.mapper';
import { UsersService } from './users.service';

/**
 * User management; every route needs the manageUsers capability (admins by default). Each
 * change that succeeded is written to the audit log.
 */
@Controller('api/users')
@Authenticated('manageUsers')
@ApiError(400, [ErrorCodes.InvalidPayload], 'The user name in the path or the body is invalid')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly audit: AuditService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Accounts in user-name order, one page at a time' })
  @ApiQuery({ name: 'after', required: false, type: String, description: 'Only names after this one (next_after of the previous page)' })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: `1 to ${USER_PAGE.max}, default ${USER_PAGE.default}` })
  @ApiQuery({ name: 'q', required: false, type: String, description: 'Only names or display names containing this (any case)' })
  @ApiJsonResponse(200, 'One page of accounts', userListResponseSchema)
  async list(@Query(new ZodValidationPipe(userListQuerySchema)) query: UserListQueryDto) {
    const page = await this.users.page({ after: query.after, limit: query.limit, search: query.q || undefined });
    return { users: page.users.map(toAdminUser), next_after: page.nextAfter };
  }

  @Post()
  @ApiOperation({ summary: 'Create an account' })
  @ApiJsonBody(createUserSchema)
  @ApiJsonResponse(201, 'Created', userResponseSchema)
  @ApiError(409, [ErrorCodes.UsernameTaken], 'The user name exists')
  @ApiError(400, [ErrorCodes.WeakPassword], 'The password is too easy to guess; the message says why')
  async create(
    @Body(new ZodValidationPipe(createUserSchema)) body: CreateUserDto,
    @CurrentAuth() auth: AuthContext,
    @Ip() ip: string,
  ) {
    const user = await this.users.create(body);
    await this.audit.record(auth.user, AuditActions.UserCreated, user.username, { role: user.role, display_name: user.display_name }, clientIp(ip));
    return { user: toAdminUser(user) };
  }

  @Patch(':username')
  @ApiOperation({ summary: 'Change an account', description: 'Disabling it or a new role signs the user out everywhere.' })
  @ApiJsonBody(updateUserSchema)
  @ApiJsonResponse(200, 'Changed', userResponseSchema)
  @ApiError(404, [ErrorCodes.NotFound], 'No such user')
  @ApiError(409, [ErrorCodes.LastAdmin, ErrorCodes.SelfChange], 'It would disable or demote the last enabled admin, or the caller\'s own admin account')
  async update(
    @Param('username', new ZodValidationPipe(usernameParamSchema)) username: string,
    @Body(new ZodValidationPipe(updateUserSchema)) body: UpdateUserDto,
    @CurrentAuth() auth: AuthContext,
    @Ip() ip: string,
  ) {
    const user = await this.users.update(username, body, auth.user);
    await this.audit.record(auth.user, AuditActions.UserChanged, user.username, { ...body }, clientIp(ip));
    return { user: toAdminUser(user) };
  }

  /**
   * Deletes an account: signed out everywhere, gone from the user list and the directory, its
   * messages kept under "Deleted user"; the name may be used again.
   */
  @Delete(':username')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an account', description: 'Signs the user out everywhere; their messages stay, attributed to a deleted user.' })
  @ApiJsonResponse(204, 'Deleted')
  @ApiError(404, [ErrorCodes.NotFound], 'No such user')
  @ApiError(409, [ErrorCodes.LastAdmin, ErrorCodes.SelfChange], 'The last enabled admin, or your own account')
  async remove(
    @Param('username', new ZodValidationPipe(usernameParamSchema)) username: string,
    @CurrentAuth() auth: AuthContext,
    @Ip() ip: string,
  ) {
    const user = await this.users.delete(username, auth.user);
    await this.audit.record(auth.user, AuditActions.UserDeleted, user.username, { role: user.role }, clientIp(ip));
  }

  /** Ends every session and closes every connection of the user; they must sign in again. */
  @Post(':username/sign-out')
  @HttpCode(204)
  @ApiOperation({ summary: 'Sign a user out everywhere' })
  @ApiJsonResponse(204, 'Every session ended, every connection closed')
  @ApiError(404, [ErrorCodes.NotFound], 'No such user')
  async signOut(
    @Param('username', new ZodValidationPipe(usernameParamSchema)) username: string,
    @CurrentAuth() auth: AuthContext,
    @Ip() ip: string,
  ) {
    await this.users.signOutEverywhere(username);
    await this.audit.record(auth.user, AuditActions.UserSignedOut, username, {}, clientIp(ip));
  }

  /** Sets a new password and signs the user out everywhere. */
  @Post(':username/password')
  @HttpCode(200)
  @ApiOperation({ summary: 'Set a new password', description: 'Also signs the user out everywhere.' })
  @ApiJsonBody(resetPasswordSchema)
  @ApiJsonResponse(200, 'Password set', userResponseSchema)
  @ApiError(400, [ErrorCodes.WeakPassword], 'The password is too easy to guess; the message says why')
  @ApiError(404, [ErrorCodes.NotFound], 'No such user')
  @ApiError(409, [ErrorCodes.DirectoryAccount, ErrorCodes.BotAccount], 'The password lives in the company directory or the single sign-on provider, or the account is a bot (it signs in with its API token)')
  async resetPassword(
    @Param('username', new ZodValidationPipe(usernameParamSchema)) username: string,
    @Body(new ZodValidationPipe(resetPasswordSchema)) body: ResetPasswordDto,
    @CurrentAuth() auth: AuthContext,
    @Ip() ip: string,
  ) {
    const user = await this.users.resetPassword(username, body.password);
    // Never the password itself.
    await this.audit.record(auth.user, AuditActions.UserPasswordReset, user.username, {}, clientIp(ip));
    return { user: toAdminUser(user) };
  }
}
