import type { AuthContext } from '../auth/auth.service';
import { ErrorCodes } from '@parley/contract';
import { ParleyError } from '../common/parley-error';
import type { VerifiedConnection } from '../registry/user-registry.service';

/** What this node alone knows about a socket; kept off socket.data, which other nodes read. */
export interface SocketState {
  /** The session the handshake carried, looked up once before 'connection'. */
  auth: AuthContext | null;
  /** Settles when this socket's previous verify_user has finished; verifies run one at a time. */
  verifying?: Promise<unknown>;
  expiryTimer?: NodeJS.Timeout;
  /**
   * The socket's verified connection when the event being handled arrived: the per-event
   * middleware asks the registry once and every later step of that event reads it here.
   */
  connection?: VerifiedConnection;
}

// Keyed by the socket object, so the state goes with the socket; nothing here outlives it.
const states = new WeakMap<object, SocketState>();

/** Set by the handshake middleware before 'connection'; a fallback keeps every later read safe. */
export function socketState(socket: object): SocketState {
  let state = states.get(socket);
  if (!state) states.set(socket, (state = { auth: null }));
  return state;
}

/** The connection an event came from, or NOT_VERIFIED: the first line of every handler past verify_user. */
export function verified(socket: object): VerifiedConnection {
  const connection = states.get(socket)?.connection;
  if (!connection) throw new ParleyError(ErrorCodes.NotVerified, 'Call verify_user first');
  return connection;
}
