import {
  applyDecorators,
  createParamDecorator,
  Injectable,
  SetMetadata,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ErrorCodes, hasCapability, type RoleCapabilities } from '@parley/contract';
import { ParleyError } from '../common/parley-error';
import { ApiSession } from '../openapi/api-docs';
import { AuthService, type AuthContext } from './auth.service';
import { tokenFromHeaders } from './session-token';

const REQUIRED_CAPABILITY = 'parley:capability';

export type AuthenticatedRequest = Request & { auth: AuthContext };

/** Accepts the session cookie or a bearer token; optionally demands a capability. */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(
    private readonly auth: AuthService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = tokenFromHeaders(request.headers);
    if (!token) throw new ParleyError(ErrorCodes.Unauthenticated, 'Sign in first');
    const auth = await this.auth.authenticate(token);
    if (!auth) throw new ParleyError(ErrorCodes.Unauthenticated, 'Session expired or signed out');
    const capability = this.reflector.getAllAndOverride<keyof RoleCapabilities | undefined>(
      REQUIRED_CAPABILITY,
      [context.getHandler(), context.getClass()],
    );
    if (capability && !hasCapability(auth.user.role, capability)) {
      throw new ParleyError(ErrorCodes.Forbidden, 'Your role may not do this');
    }
    request.auth = auth;
    return true;
  }
}

/**
 * Marks a route as needing a signed-in user, and optionally a capability of their role; the
 * OpenAPI description of the route says so too.
 */
export const Authenticated = (capability?: keyof RoleCapabilities) =>
  applyDecorators(SetMetadata(REQUIRED_CAPABILITY, capability), UseGuards(SessionGuard), ApiSession(capability));

export const CurrentAuth = createParamDecorator(
  (_: unknown, context: ExecutionContext): AuthContext =>
    context.switchToHttp().getRequest<AuthenticatedRequest>().auth,
);
