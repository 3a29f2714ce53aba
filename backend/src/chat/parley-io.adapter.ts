import type { INestApplicationContext, WsMessageHandler } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { isObservable, type Observable } from 'rxjs';
import type { Server, ServerOptions, Socket } from 'socket.io';
import type { Socket as EngineSocket } from 'engine.io';
import { ErrorCodes } from '@parley/contract';
import type { RequestGate } from '../lifecycle/shutdown.service';
import { replyWithError } from '../realtime/socket-exception.filter';

/**
 * socket.io server settings that depend on configuration, and a leaner handler binding.
 *
 * IoAdapter binds each @SubscribeMessage handler through an RxJS pipeline kept alive for the
 * socket's whole life (fromEvent, mergeMap, takeUntil(disconnect)): per socket and per event.
 * With many idle sockets that is most of Parley's memory per connection. Here each event is a
 * plain listener and the RxJS work lives only while a message is handled. Behaviour is the
 * same: the handler's result becomes the ack, or an emit when it has the `{event, data}` shape.
 *
 * Every handler run is counted with the shutdown gate until it has answered, so a shutdown can
 * wait for those answers; once the gate drains, new requests are refused with SHUTTING_DOWN.
 */
export class ParleyIoAdapter extends IoAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly settings: Partial<ServerOptions>,
    private readonly gate: RequestGate,
    /** Called with each new engine.io connection (before it joins a namespace). */
    private readonly onEngineConnection: (connection: EngineSocket) => void = () => undefined,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, { ...options, ...this.settings } as ServerOptions) as Server;
    server.engine.on('connection', this.onEngineConnection);
    return server;
  }

  override bindMessageHandlers(
    socket: Socket,
    handlers: WsMessageHandler[],
    // Nest's own signature: a handler's result of any shape, turned into an observable.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    transform: (data: any) => Observable<any>,
  ): void {
    for (const { message, callback, isAckHandledManually } of handlers) {
      socket.on(message as string, (...args: unknown[]) => {
        // As fromEvent did: one argument arrives as itself, several as an array.
        const { data, ack } = this.mapPayload(args.length === 1 ? args[0] : args);
        if (this.gate.draining) {
          replyWithError(socket, message as string, ack, {
            code: ErrorCodes.ShuttingDown,
            message: 'The server is shutting down; send this again after reconnecting',
          });
          return;
        }
        const answered = this.gate.begin();
        const respond = (response: { event?: string; data?: unknown } | null | undefined) => {
          if (response === null || response === undefined) return;
          if (response.event) socket.emit(response.event, response.data);
          else if (!isAckHandledManually && typeof ack === 'function') ack(response);
        };
        const failed = (error: unknown) => {
          this.logger.error(error);
          answered();
        };
        const observe = (result: unknown) => transform(result).subscribe({ next: respond, error: failed, complete: answered });
        try {
          const result: unknown = callback(data, ack);
          // Every Parley handler answers with a promise (Nest's context wraps them async): it is
          // answered straight from it, without building an RxJS pipeline per message.
          if (result instanceof Promise) {
            result
              .then((response: unknown) => {
                if (isObservable(response)) return void observe(response);
                try {
                  respond(response as Parameters<typeof respond>[0]);
                } finally {
                  answered();
                }
              }, failed)
              // A throwing ack must not become an unhandled rejection (which ends the process).
              .catch((error: unknown) => this.logger.error(error));
          } else {
            observe(result);
          }
        } catch (error) {
          answered();
          throw error;
        }
      });
    }
  }
}
