import { Body, Controller, Get, HttpCode, Ip, Param, Patch, Post } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import type { AuthContext } from '../auth/auth.service';
import { Authenticated, CurrentAuth } from '../auth/session.guard';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { AuditActions } from '../contract/audit';
import { clientIp } from '../common/client-ip';
import {
  createUserSchema,
  resetPasswordSchema,
  updateUserSchema,
  usernameParamSchema,
  type CreateUserDto,
  type ResetPasswordDto,
  type UpdateUserDto,
} from './dto/user.dto';
import { toAdminUser } from './user.mapper';
import { UsersService } from './users.service';

/** User management; every route needs the manageUsers capability (admins by default). */
@Controller('api/users')
@Authenticated('manageUsers')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly audit: AuditService,
  ) {}

  @Get()
  async list() {
    return { users: (await this.users.list()).map(toAdminUser) };
  }

  @Post()
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
  async update(
    @Param('username', new ZodValidationPipe(usernameParamSchema)) username: string,
    @Body(new ZodValidationPipe(updateUserSchema)) body: UpdateUserDto,
    @CurrentAuth() auth: AuthContext,
    @Ip() ip: string,
  ) {
    const user = await this.users.update(username, body);
    await this.audit.record(auth.user, AuditActions.UserChanged, user.username, { ...body }, clientIp(ip));
    return { user: toAdminUser(user) };
  }

  /** Ends every session and closes every connection of the user; they must sign in again. */
  @Post(':username/sign-out')
  @HttpCode(204)
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
