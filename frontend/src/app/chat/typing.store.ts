import { Injectable, inject, signal, type OnDestroy } from '@angular/core';
import { Subscription } from 'rxjs';
import { ClientEvents, conversationIdOf, ServerEvents, type TypingPayload } from '@parley/contract';
import { ChatConnection } from '../core/socket.service';
import { ChatStore } from './chat.store';

/** How long "x is typing" stays up without a new typing event. */
const TYPING_SHOWN_MS = 5_000;
/** A client sends at most one typing event per this interval. */
const TYPING_THROTTLE_MS = 3_000;

/** "x is typing": who types where (from typing events), and telling the others when this user types. */
@Injectable()
export class TypingStore implements OnDestroy {
  private readonly chat = inject(ChatStore);
  private readonly connection = inject(ChatConnection);
  private readonly subscription: Subscription;
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** conversation id -> when this user last told it they were typing. */
  private readonly sent = new Map<string, number>();
  /** conversation id -> user names typing there now. */
  readonly typing = signal<ReadonlyMap<string, string[]>>(new Map());

  constructor() {
    this.subscription = this.connection.on(ServerEvents.Typing).subscribe((typing) => this.onTyping(typing));
  }

  ngOnDestroy(): void {
    this.subscription.unsubscribe();
    for (const timer of this.timers.values()) clearTimeout(timer);
  }

  /** Tells the others in the active conversation that this user is typing (throttled per conversation). */
  noteTyping(): void {
    const id = this.chat.activeId();
    const now = Date.now();
    if (!id || now - (this.sent.get(id) ?? 0) < TYPING_THROTTLE_MS || this.chat.status() !== 'online') return;
    this.sent.set(id, now);
    void this.connection.request(ClientEvents.Typing, { conversation: id });
  }

  private onTyping(typing: TypingPayload): void {
    const me = this.chat.me();
    if (!me) return;
    // Addressed like a message from the typist: the group, team conversation or channel, or the typist's direct conversation.
    const id = conversationIdOf({ target_kind: typing.target_kind, target: typing.target, sender_name: typing.user_name, guest: typing.guest }, me.username);
    const key = `${id}|${typing.user_name}`;
    clearTimeout(this.timers.get(key));
    this.set(id, typing.user_name, true);
    this.timers.set(
      key,
      setTimeout(() => this.set(id, typing.user_name, false), TYPING_SHOWN_MS),
    );
  }

  private set(id: string, name: string, on: boolean): void {
    this.typing.update((map) => {
      const next = new Map(map);
      const names = (next.get(id) ?? []).filter((n) => n !== name);
      next.set(id, on ? [...names, name] : names);
      return next;
    });
  }
}
