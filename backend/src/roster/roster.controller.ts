import { Controller, HttpCode, Ip, Param, Post } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { z } from 'zod';
import { AuditService } from '../audit/audit.service';
import { AuthService, type AuthContext } from '../auth/auth.service';
import { Authenticated, CurrentAuth } from '../auth/session.guard';
import { clientIp } from '../common/client-ip';
import { AuditActions, ErrorCodes, ServerEvents } from '@parley/contract';
import { ParleyError } from '../common/parley-error';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { ApiError, ApiJsonResponse } from '../openapi/api-docs';
import { Broadcaster } from '../realtime/broadcaster.service';
import { UserRegistryService } from '../registry/user-registry.service';

const socketIdSchema = z.string().min(1).max(64);

/** Admin actions on live connections. */
@Controller('api/admin/connections')
@Authenticated('watchRoster')
export class RosterController {
  constructor(
    private readonly registry: UserRegistryService,
    private readonly broadcaster: Broadcaster,
    private readonly audit: AuditService,
    private readonly auth: AuthService,
  ) {}

  /**
   * Ends one device's session: the session the socket signed in with is revoked, so every tab
   * of that browser closes and must sign in again, while the user's other devices stay signed
   * in. A socket without a session (open mode, the prototype's pages) is closed and may
   * reconnect. Either way it is told why first (session_ended, reason `disconnected`). To keep
   * a user out everywhere, disable them.
   */
  @Post(':socketId/disconnect')
  @HttpCode(204)
  @ApiOperation({
    summary: "End one connection's session",
    description: "Socket ids are on the roster. Revokes the session the socket signed in with (that device must sign in again; the user's other devices stay signed in); a socket without a session is just closed.",
  })
  @ApiJsonResponse(204, 'Closed')
  @ApiError(400, [ErrorCodes.InvalidPayload], 'The socket id is invalid')
  @ApiError(404, [ErrorCodes.NotFound], 'No such connection')
  async disconnect(
    @Param('socketId', new ZodValidationPipe(socketIdSchema)) socketId: string,
    @CurrentAuth() auth: AuthContext,
    @Ip() ip: string,
  ): Promise<void> {
    const local = this.registry.get(socketId);
    // Not here: it may be on another node of the cluster.
    const remote = local ? null : await this.broadcaster.findSocket(socketId);
    if (!local && !remote) throw new ParleyError(ErrorCodes.NotFound, 'No such connection');
    const sessionId = local ? local.sessionId : remote!.sessionId;
    if (sessionId !== null) {
      await this.auth.logout(sessionId, 'disconnected');
    } else {
      // Every socket is in a room named after its own id; the adapter reaches it on any node.
      this.broadcaster.emit([socketId], ServerEvents.SessionEnded, { reason: 'disconnected' });
      this.broadcaster.disconnect(socketId);
    }
    const details = local
      ? { username: local.user?.username ?? local.claimedName, role: local.user?.role ?? local.claimedType, ip: local.ip }
      : { username: remote!.username, role: remote!.role, ip: remote!.ip };
    await this.audit.record(auth.user, AuditActions.ConnectionKicked, socketId, details, clientIp(ip));
  }
}
