import type { Attachment } from './files';
import type { z } from 'zod';
// Type-only, as in events.ts: the web app gets the types without the validators.
import type * as announcements from './schemas/announcements';
import type * as audit from './schemas/audit';
import type * as auth from './schemas/auth';
import type * as bots from './schemas/bots';
import type * as channels from './schemas/channels';
import type * as incomingWebhooks from './schemas/incoming-webhooks';
import type * as messages from './schemas/messages';
import type * as retention from './schemas/retention';
import type * as users from './schemas/users';
import type * as webhooks from './schemas/webhooks';

/*
 * REST request and response bodies, inferred from the validators that check them (and from
 * which the OpenAPI description at /api/docs is generated).
 */

export type LoginRequest = z.input<typeof auth.loginSchema>;
export type LoginResponse = z.infer<typeof auth.loginResponseSchema>;
export type MeResponse = z.infer<typeof auth.meResponseSchema>;
export type SessionResponse = z.infer<typeof auth.sessionResponseSchema>;

export type CreateUserRequest = z.input<typeof users.createUserSchema>;
export type UpdateUserRequest = z.input<typeof users.updateUserSchema>;
export type ResetPasswordRequest = z.input<typeof users.resetPasswordSchema>;
export type ChangePasswordRequest = z.input<typeof users.changePasswordSchema>;
export type UpdateMeRequest = z.input<typeof users.updateMeSchema>;
/** What an admin sees of an account. */
export type AdminUser = z.infer<typeof users.adminUserSchema>;
export type UserResponse = z.infer<typeof users.userResponseSchema>;
export type UserListResponse = z.infer<typeof users.userListResponseSchema>;

export type AuditPage = z.infer<typeof audit.auditPageResponseSchema>;

export type CreateBotRequest = z.input<typeof bots.createBotSchema>;
/** A bot as an admin sees it: its account and the state of its token (never the token). */
export type Bot = z.infer<typeof bots.botSchema>;
export type BotListResponse = z.infer<typeof bots.botListResponseSchema>;
export type BotResponse = z.infer<typeof bots.botResponseSchema>;
export type BotTokenResponse = z.infer<typeof bots.botTokenResponseSchema>;

export type SendMessageResponse = z.infer<typeof messages.sendMessageResponseSchema>;
export type HistoryQuery = z.input<typeof messages.historyQuerySchema>;

export type CreateChannelRequest = z.input<typeof channels.createChannelSchema>;
export type UpdateChannelRequest = z.input<typeof channels.updateChannelSchema>;
export type AddChannelMemberRequest = z.input<typeof channels.addChannelMemberSchema>;
export type ChannelResponse = z.infer<typeof channels.channelResponseSchema>;
export type ChannelListResponse = z.infer<typeof channels.channelListResponseSchema>;
export type ChannelMembersResponse = z.infer<typeof channels.channelMembersResponseSchema>;

export type CreateAnnouncementRequest = z.input<typeof announcements.createAnnouncementSchema>;
export type AnnouncementResponse = z.infer<typeof announcements.announcementResponseSchema>;
export type AnnouncementListResponse = z.infer<typeof announcements.announcementListResponseSchema>;
export type AnnouncementStatusListResponse = z.infer<typeof announcements.announcementStatusListResponseSchema>;
export type AnnouncementAcksResponse = z.infer<typeof announcements.announcementAcksResponseSchema>;

export type SetRetentionRequest = z.input<typeof retention.setRetentionSchema>;
export type RetentionResponse = z.infer<typeof retention.retentionResponseSchema>;
export type ExportQuery = z.input<typeof retention.exportQuerySchema>;
/** One line of GET /api/admin/export (JSON Lines): a message as stored, with its conversation. */
export interface ExportLine {
  id: number;
  conversation: string;
  sent_at: string;
  sender_name: string;
  sender_role: string;
  target_kind: string;
  target: string;
  guest?: string;
  message: string;
  edited_at?: string;
  deleted?: true;
  reply_to?: number;
  reactions?: { emoji: string; users: string[] }[];
  /** The files it carried (id, name, size, type): the bytes are fetched with GET /api/files/:id. */
  attachments?: Attachment[];
}

export type CreateWebhookRequest = z.input<typeof webhooks.createWebhookSchema>;
export type UpdateWebhookRequest = z.input<typeof webhooks.updateWebhookSchema>;
/** A webhook as admins see it (never its secret). */
export type WebhookResponse = z.infer<typeof webhooks.webhookResponseSchema>;
export type WebhookWithSecretResponse = z.infer<typeof webhooks.webhookWithSecretResponseSchema>;
export type WebhookListResponse = z.infer<typeof webhooks.webhookListResponseSchema>;
export type WebhookDelivery = z.infer<typeof webhooks.webhookDeliveryResponseSchema>;
export type WebhookDeliveriesResponse = z.infer<typeof webhooks.webhookDeliveriesResponseSchema>;

export type CreateIncomingWebhookRequest = z.input<typeof incomingWebhooks.createIncomingWebhookSchema>;
/** An incoming webhook as an admin sees it (never its token). */
export type IncomingWebhook = z.infer<typeof incomingWebhooks.incomingWebhookSchema>;
export type IncomingWebhookListResponse = z.infer<typeof incomingWebhooks.incomingWebhookListResponseSchema>;
export type IncomingWebhookCreatedResponse = z.infer<typeof incomingWebhooks.incomingWebhookCreatedResponseSchema>;
export type IncomingWebhookPostRequest = z.input<typeof incomingWebhooks.incomingWebhookPostSchema>;
