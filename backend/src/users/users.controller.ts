import { Body, Controller, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { Authenticated } from '../auth/session.guard';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
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
  constructor(private readonly users: UsersService) {}

  @Get()
  async list() {
    return { users: (await this.users.list()).map(toAdminUser) };
  }

  @Post()
  async create(@Body(new ZodValidationPipe(createUserSchema)) body: CreateUserDto) {
    return { user: toAdminUser(await this.users.create(body)) };
  }

  @Patch(':username')
  async update(
    @Param('username', new ZodValidationPipe(usernameParamSchema)) username: string,
    @Body(new ZodValidationPipe(updateUserSchema)) body: UpdateUserDto,
  ) {
    return { user: toAdminUser(await this.users.update(username, body)) };
  }

  /** Ends every session and closes every connection of the user; they must sign in again. */
  @Post(':username/sign-out')
  @HttpCode(204)
  async signOut(@Param('username', new ZodValidationPipe(usernameParamSchema)) username: string) {
    await this.users.signOutEverywhere(username);
  }

  /** Sets a new password and signs the user out everywhere. */
  @Post(':username/password')
  @HttpCode(200)
  async resetPassword(
    @Param('username', new ZodValidationPipe(usernameParamSchema)) username: string,
    @Body(new ZodValidationPipe(resetPasswordSchema)) body: ResetPasswordDto,
  ) {
    return { user: toAdminUser(await this.users.resetPassword(username, body.password)) };
  }
}
