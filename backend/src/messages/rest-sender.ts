import type { AuthContext } from '../auth/auth.service';
import type { VerifiedConnection } from '../registry/user-registry.service';

/**
 * The lane a REST sender's messages go through MessageRoutingService in, and the `sender` their
 * messages carry. socket.io ids never contain ':', so no socket can have it; one per user, so a
 * script's messages keep its order and count against one pending limit, and a reply to such a
 * message's `sender` (the prototype's way) reaches the user, as for a socket that has gone.
 */
export const restLane = (userId: number) => `rest:${userId}`;

/** A REST request as the sender MessageRoutingService takes: verified by its session or bot token. */
export function restSender(auth: AuthContext, ip: string, userAgent: string): VerifiedConnection {
  return {
    socketId: restLane(auth.user.id),
    ip,
    userAgent,
    connectedAt: new Date(),
    verification: 'VERIFIED',
    user: auth.user,
    claimedType: null,
    claimedName: null,
    sessionId: auth.sessionId,
  };
}
