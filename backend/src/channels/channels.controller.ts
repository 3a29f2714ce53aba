import { Body, Controller, Delete, Get, HttpCode, Ip, Param, Patch, Post } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { AuditActions, ErrorCodes } from '@parley/contract';
import {
  type AddChannelMemberDto,
  addChannelMemberSchema,
  channelListResponseSchema,
  channelMembersResponseSchema,
  channelNameParamSchema,
  channelResponseSchema,
  type CreateChannelDto,
  createChannelSchema,
  type UpdateChannelDto,
  updateChannelSchema,
  usernameParamSchema,
} from '@parley/contract/schemas';
import { AuditService } from '../audit/audit.service';
import type { AuthContext } from '../auth/auth.service';
import { Authenticated, CurrentAuth } from '../auth/session.guard';
import { clientIp } from '../common/client-ip';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { ApiError, ApiJsonBody, ApiJsonResponse } from '../openapi/api-docs';
import { ChannelsService } from './channels.service';

const nameParam = new ZodValidationPipe(channelNameParamSchema);
const usernameParam = new ZodValidationPipe(usernameParamSchema);
const NOT_VISIBLE = 'No such channel, or a private one the caller is not in: the same answer';

/**
 * Channels, for any signed-in user; what each may see and do is ChannelsService's decision (the
 * permission table's createChannels and joinChannels, membership, who created it).
 */
@Controller('api/channels')
@Authenticated()
export class ChannelsController {
  constructor(
    private readonly channels: ChannelsService,
    private readonly audit: AuditService,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a channel', description: 'The creator is a member; `members` are invited at once.' })
  @ApiError(400, [ErrorCodes.InvalidPayload, ErrorCodes.UnknownRecipient], 'The body does not match the schema, or a member is not someone the caller may message')
  @ApiJsonBody(createChannelSchema)
  @ApiJsonResponse(201, 'Created', channelResponseSchema)
  @ApiError(403, [ErrorCodes.Forbidden], "The caller's role may not create channels")
  @ApiError(409, [ErrorCodes.ChannelExists], 'The name is taken (perhaps by a channel the caller cannot see)')
  async create(@Body(new ZodValidationPipe(createChannelSchema)) body: CreateChannelDto, @CurrentAuth() auth: AuthContext, @Ip() ip: string) {
    const channel = await this.channels.create(auth.user, body);
    await this.audit.record(auth.user, AuditActions.ChannelCreated, channel.name, { visibility: channel.visibility, members: channel.member_count }, clientIp(ip));
    return { channel };
  }

  @Get()
  @ApiOperation({ summary: 'Channels the caller may see', description: 'The role groups the caller reads or posts to (builtin), the channels they are in, and public channels if they may join them.' })
  @ApiJsonResponse(200, 'The channels', channelListResponseSchema)
  async list(@CurrentAuth() auth: AuthContext) {
    return { channels: await this.channels.list(auth.user) };
  }

  @Get(':name')
  @ApiOperation({ summary: 'One channel' })
  @ApiJsonResponse(200, 'The channel as the caller sees it', channelResponseSchema)
  @ApiError(400, [ErrorCodes.InvalidPayload], 'Not a channel name')
  @ApiError(404, [ErrorCodes.NotFound], NOT_VISIBLE)
  async get(@Param('name', nameParam) name: string, @CurrentAuth() auth: AuthContext) {
    return { channel: await this.channels.get(auth.user, name) };
  }

  @Get(':name/members')
  @ApiOperation({ summary: "A channel's members, with presence", description: 'A client sees only members who are not clients, and themself.' })
  @ApiJsonResponse(200, 'The members the caller may see', channelMembersResponseSchema)
  @ApiError(400, [ErrorCodes.InvalidPayload], 'Not a channel name')
  @ApiError(404, [ErrorCodes.NotFound], NOT_VISIBLE)
  async members(@Param('name', nameParam) name: string, @CurrentAuth() auth: AuthContext) {
    return { members: await this.channels.members(auth.user, name) };
  }

  @Post(':name/members')
  @HttpCode(200)
  @ApiOperation({ summary: 'Join (your own name) or invite someone', description: 'Joining needs a public channel and the joinChannels permission; inviting needs membership and a role other than client.' })
  @ApiError(400, [ErrorCodes.InvalidPayload, ErrorCodes.UnknownRecipient], 'The body does not match the schema, or the invitee is not someone the caller may message')
  @ApiJsonBody(addChannelMemberSchema)
  @ApiJsonResponse(200, 'A member now; the channel as the caller sees it', channelResponseSchema)
  @ApiError(403, [ErrorCodes.Forbidden], 'The caller may not invite to this channel')
  @ApiError(404, [ErrorCodes.NotFound], NOT_VISIBLE)
  @ApiError(409, [ErrorCodes.ChannelArchived], 'The channel is archived')
  async addMember(
    @Param('name', nameParam) name: string,
    @Body(new ZodValidationPipe(addChannelMemberSchema)) body: AddChannelMemberDto,
    @CurrentAuth() auth: AuthContext,
  ) {
    return { channel: await this.channels.addMember(auth.user, name, body.username) };
  }

  @Delete(':name/members/:username')
  @HttpCode(204)
  @ApiOperation({ summary: 'Leave (your own name) or remove a member', description: 'Removing someone else needs an admin or the channel\'s creator.' })
  @ApiJsonResponse(204, 'No longer a member')
  @ApiError(400, [ErrorCodes.InvalidPayload], 'Not a channel name or a user name')
  @ApiError(403, [ErrorCodes.Forbidden], 'The caller may not remove members of this channel')
  @ApiError(404, [ErrorCodes.NotFound], `${NOT_VISIBLE}; or that user is not a member`)
  async removeMember(@Param('name', nameParam) name: string, @Param('username', usernameParam) username: string, @CurrentAuth() auth: AuthContext) {
    await this.channels.removeMember(auth.user, name, username);
  }

  @Patch(':name')
  @ApiOperation({ summary: 'Rename, change the topic, archive or unarchive', description: "Admins and the channel's creator. A rename keeps the history, under the new name." })
  @ApiJsonBody(updateChannelSchema)
  @ApiJsonResponse(200, 'Changed', channelResponseSchema)
  @ApiError(403, [ErrorCodes.Forbidden], 'The caller may not change this channel')
  @ApiError(404, [ErrorCodes.NotFound], NOT_VISIBLE)
  @ApiError(409, [ErrorCodes.ChannelExists], 'The new name is taken')
  async update(
    @Param('name', nameParam) name: string,
    @Body(new ZodValidationPipe(updateChannelSchema)) body: UpdateChannelDto,
    @CurrentAuth() auth: AuthContext,
    @Ip() ip: string,
  ) {
    const { channel, changes } = await this.channels.update(auth.user, name, body);
    if (Object.keys(changes).length > 0) await this.audit.record(auth.user, AuditActions.ChannelChanged, channel.name, changes, clientIp(ip));
    return { channel };
  }
}
