import { type ChannelInfo, ErrorCodes } from '@parley/contract';
import { ChannelAccess } from '../backend/src/chat/channel-access.service';
import { ChannelRepository } from '../backend/src/storage/channel.repository';
import { DatabaseService } from '../backend/src/storage/database.service';
import { MessageRepository } from '../backend/src/storage/message.repository';
import { adminToken, api, type ClientSocket, closeAllClients, connectAs, createUser, type Json, nextEvent, record, requestOk, roundTrip } from './support/clients';
import { eventually } from './support/eventually';
import { startServer, type TestServer } from './support/server';

/**
 * Channels over REST (issue 13): every route's success and refusals, what a private channel
 * never gives away, what clients never learn about each other, the events and room membership
 * that make a change take effect at once, and the sync ack's channels. Runs on SQLite and
 * PostgreSQL (the e2e-postgres project).
 */
describe('channels', () => {
  let server: TestServer;
  const tokens: Record<string, string> = {};
  const sockets: Record<string, ClientSocket> = {};
  const roles: Record<string, 'admin' | 'staff' | 'client'> = { ada: 'admin', sam: 'staff', sue: 'staff', stu: 'staff', cleo: 'client', cora: 'client' };

  const call = (who: string, method: string, path: string, body?: unknown) => api(server, method, path, { token: tokens[who], body });
  const create = (who: string, body: Json) => call(who, 'POST', '/api/channels', body);
  const refusal = (status: number, code: string) => ({ status, body: { statusCode: status, code, message: expect.any(String) } });
  const answer = (response: { status: number; body: Json }) => ({ status: response.status, body: response.body });
  const names = (channels: unknown) => (channels as ChannelInfo[]).map((c) => c.name);
  /** A verified socket of the user, opened once. */
  const socketOf = async (who: string) => (sockets[who] ??= await connectAs(server, tokens[who], roles[who], who));

  beforeAll(async () => {
    server = await startServer();
    tokens.admin = await adminToken(server);
    for (const [name, role] of Object.entries(roles)) tokens[name] = await createUser(server, tokens.admin, name, role);
  });
  afterAll(async () => {
    closeAllClients();
    await server.stop();
  });

  describe('POST /api/channels', () => {
    it('creates a channel with its creator and the invited as members, tells them, and audits it', async () => {
      const sue = await socketOf('sue');
      const told = nextEvent(sue, 'channel_updated', (e) => e.channel.name === 'launch');
      const response = await create('sam', { name: 'Launch', topic: ' The launch ', visibility: 'public', members: ['sue', 'cleo', 'SAM'] });
      expect(response.status).toBe(201);
      expect(response.body.channel).toEqual({
        conversation: 'channel:launch',
        name: 'launch',
        topic: 'The launch',
        visibility: 'public',
        builtin: false,
        archived: false,
        member: true,
        manageable: true,
        member_count: 3,
        created_by: 'sam',
        created_at: expect.any(String),
      });
      expect((await told).channel).toMatchObject({ name: 'launch', member: true, manageable: false, member_count: 3 });
      const audit = await api(server, 'GET', '/api/admin/audit?action=channel.created', { token: tokens.admin });
      expect(audit.body.entries).toEqual([expect.objectContaining({ actor: 'sam', action: 'channel.created', target: 'launch' })]);
    });

    it('refuses a role that may not create channels', async () => {
      expect(answer(await create('cleo', { name: 'cleos', visibility: 'public' }))).toEqual(refusal(403, ErrorCodes.Forbidden));
      expect(answer(await call('ada', 'GET', '/api/channels/cleos'))).toEqual(refusal(404, ErrorCodes.NotFound));
    });

    it('refuses a taken name, a private one too, saying nothing more; and role names', async () => {
      expect((await create('ada', { name: 'secret-plans', visibility: 'private' })).status).toBe(201);
      const taken = await create('sam', { name: 'secret-plans', visibility: 'public' });
      expect(answer(taken)).toEqual(refusal(409, ErrorCodes.ChannelExists));
      expect(JSON.stringify(taken.body)).not.toMatch(/private|ada/);
      expect(answer(await create('sam', { name: 'staff', visibility: 'public' }))).toEqual(refusal(400, ErrorCodes.InvalidPayload));
    });

    it('refuses members the creator may not message, exactly as ones that do not exist, naming the name', async () => {
      await createUser(server, tokens.admin, 'gone', 'client');
      expect((await api(server, 'PATCH', '/api/users/gone', { token: tokens.admin, body: { disabled: true } })).status).toBe(200);
      const answers = [];
      for (const name of ['nobody', 'gone']) {
        const response = await create('sam', { name: `with-${name}`, visibility: 'public', members: [name] });
        expect(answer(response)).toEqual(refusal(400, ErrorCodes.UnknownRecipient));
        expect(response.body.message).toContain(name);
        answers.push(String(response.body.message).replace(name, 'X'));
      }
      expect(answers[0]).toBe(answers[1]);
      expect((await call('sam', 'GET', '/api/channels/with-nobody')).status).toBe(404);
    });
  });

  describe('seeing channels', () => {
    beforeAll(async () => {
      expect((await create('sam', { name: 'lobby', visibility: 'public' })).status).toBe(201);
      expect((await create('sam', { name: 'staff-room', visibility: 'private', members: ['sue'] })).status).toBe(201);
      expect((await create('sam', { name: 'clients-corner', visibility: 'private', members: ['cleo', 'cora', 'sue'] })).status).toBe(201);
    });

    it("lists the role groups one reads or posts to, one's channels, and public ones for those who may join", async () => {
      const stu = (await call('stu', 'GET', '/api/channels')).body.channels as ChannelInfo[];
      expect(stu.filter((c) => c.builtin)).toEqual([
        expect.objectContaining({ conversation: 'group:admin', name: 'admin', member: false, manageable: false, visibility: 'public' }),
        expect.objectContaining({ conversation: 'group:staff', name: 'staff', member: true, created_by: null }),
        expect.objectContaining({ conversation: 'group:client', name: 'client', member: true }),
      ]);
      // stu is in no channel: the public ones only.
      expect(names(stu.filter((c) => !c.builtin))).toEqual(['launch', 'lobby']);
      expect(stu.find((c) => c.name === 'lobby')).toMatchObject({ member: false, manageable: false });
      const sam = (await call('sam', 'GET', '/api/channels')).body.channels as ChannelInfo[];
      expect(names(sam.filter((c) => !c.builtin))).toEqual(['clients-corner', 'launch', 'lobby', 'staff-room']);
    });

    it('lists for a client only the groups it reads or posts to and the channels it is in', async () => {
      const cleo = (await call('cleo', 'GET', '/api/channels')).body.channels as ChannelInfo[];
      expect(names(cleo)).toEqual(['admin', 'staff', 'client', 'clients-corner', 'launch']);
      expect(cleo.find((c) => c.name === 'staff')).toMatchObject({ builtin: true, member: false });
      // Its own role's group, counted as itself alone: clients learn nothing about each other.
      expect(cleo.find((c) => c.name === 'client')).toMatchObject({ builtin: true, member: true, member_count: 1 });
    });

    it('answers a private channel to a non-member exactly as a missing one, on every route', async () => {
      const routes: Array<[string, string, unknown?]> = [
        ['GET', '/api/channels/NAME'],
        ['GET', '/api/channels/NAME/members'],
        ['POST', '/api/channels/NAME/members', { username: 'stu' }],
        ['POST', '/api/channels/NAME/members', { username: 'cleo' }],
        ['DELETE', '/api/channels/NAME/members/stu'],
        ['DELETE', '/api/channels/NAME/members/sue'],
        ['PATCH', '/api/channels/NAME', { topic: 'mine now' }],
      ];
      for (const [method, path, body] of routes) {
        const secret = await call('stu', method, path.replace('NAME', 'staff-room'), body);
        const missing = await call('stu', method, path.replace('NAME', 'no-such-room'), body);
        expect([method, path, answer(secret)]).toEqual([method, path, refusal(404, ErrorCodes.NotFound)]);
        expect(JSON.stringify(secret.body).replaceAll('staff-room', 'N')).toBe(JSON.stringify(missing.body).replaceAll('no-such-room', 'N'));
      }
      // An admin outside it is no exception.
      expect(answer(await call('ada', 'GET', '/api/channels/staff-room'))).toEqual(refusal(404, ErrorCodes.NotFound));
      // Nothing changed.
      expect((await call('sam', 'GET', '/api/channels/staff-room')).body.channel).toMatchObject({ topic: '', member_count: 2 });
    });

    it('hides public channels from a client outside them, and lets it not join', async () => {
      expect(answer(await call('cleo', 'GET', '/api/channels/lobby'))).toEqual(refusal(404, ErrorCodes.NotFound));
      expect(answer(await call('cleo', 'POST', '/api/channels/lobby/members', { username: 'cleo' }))).toEqual(refusal(404, ErrorCodes.NotFound));
    });

    it('lists members with presence; a client sees no other client, and counts none', async () => {
      await socketOf('cleo');
      const bySam = (await call('sam', 'GET', '/api/channels/clients-corner/members')).body.members as Json[];
      expect(bySam.map((m) => [m.username, m.role, m.online])).toEqual([
        ['cleo', 'client', true],
        ['cora', 'client', false],
        ['sam', 'staff', false],
        ['sue', 'staff', true],
      ]);
      const byCleo = (await call('cleo', 'GET', '/api/channels/clients-corner/members')).body.members as Json[];
      expect(byCleo.map((m) => m.username)).toEqual(['cleo', 'sam', 'sue']);
      expect((await call('sam', 'GET', '/api/channels/clients-corner')).body.channel).toMatchObject({ member_count: 4, manageable: true });
      expect((await call('cleo', 'GET', '/api/channels/clients-corner')).body.channel).toMatchObject({ member_count: 3, manageable: false });
    });
  });

  describe('joining, inviting, leaving, removing', () => {
    beforeAll(async () => {
      expect((await create('sam', { name: 'pub', visibility: 'public' })).status).toBe(201);
      expect((await create('sam', { name: 'priv', visibility: 'private' })).status).toBe(201);
    });

    it('lets someone who may join channels join a public one, once', async () => {
      const first = await call('stu', 'POST', '/api/channels/pub/members', { username: 'STU' });
      expect(first.status).toBe(200);
      expect(first.body.channel).toMatchObject({ name: 'pub', member: true, member_count: 2 });
      expect((await call('stu', 'POST', '/api/channels/pub/members', { username: 'stu' })).body.channel).toMatchObject({ member_count: 2 });
    });

    it('invites: members who are not clients, to people they may message', async () => {
      expect((await call('stu', 'POST', '/api/channels/pub/members', { username: 'cleo' })).status).toBe(200);
      expect(answer(await call('cleo', 'POST', '/api/channels/pub/members', { username: 'cora' }))).toEqual(refusal(403, ErrorCodes.Forbidden));
      // sue sees pub (public) but is not in it.
      expect(answer(await call('sue', 'POST', '/api/channels/pub/members', { username: 'ada' }))).toEqual(refusal(403, ErrorCodes.Forbidden));
      expect(answer(await call('sam', 'POST', '/api/channels/pub/members', { username: 'nobody' }))).toEqual(refusal(400, ErrorCodes.UnknownRecipient));
      expect(answer(await call('sam', 'POST', '/api/channels/pub/members', { username: 'gone' }))).toEqual(refusal(400, ErrorCodes.UnknownRecipient));
      expect((await call('sam', 'POST', '/api/channels/priv/members', { username: 'sue' })).status).toBe(200);
      const members = (await call('sam', 'GET', '/api/channels/pub/members')).body.members as Json[];
      expect(members.map((m) => m.username)).toEqual(['cleo', 'sam', 'stu']);
    });

    it('leaves, telling every device of the leaver; removes only for an admin or the creator', async () => {
      const [phone, laptop] = [await connectAs(server, tokens.stu, 'staff', 'stu'), await connectAs(server, tokens.stu, 'staff', 'stu')];
      const removed = [phone, laptop].map((s) => nextEvent(s, 'channel_removed'));
      expect((await call('stu', 'DELETE', '/api/channels/pub/members/stu')).status).toBe(204);
      for (const event of await Promise.all(removed)) expect(event).toEqual({ conversation: 'channel:pub' });
      expect(answer(await call('stu', 'DELETE', '/api/channels/pub/members/stu'))).toEqual(refusal(404, ErrorCodes.NotFound));

      expect((await call('sue', 'POST', '/api/channels/pub/members', { username: 'sue' })).status).toBe(200);
      expect(answer(await call('sue', 'DELETE', '/api/channels/pub/members/cleo'))).toEqual(refusal(403, ErrorCodes.Forbidden));
      expect((await call('ada', 'DELETE', '/api/channels/pub/members/cleo')).status).toBe(204);
      expect((await call('sam', 'DELETE', '/api/channels/pub/members/sue')).status).toBe(204);
      expect(answer(await call('sam', 'DELETE', '/api/channels/pub/members/sue'))).toEqual(refusal(404, ErrorCodes.NotFound));
      expect(answer(await call('sam', 'DELETE', '/api/channels/pub/members/nobody'))).toEqual(refusal(404, ErrorCodes.NotFound));
      expect(((await call('sam', 'GET', '/api/channels/pub/members')).body.members as Json[]).map((m) => m.username)).toEqual(['sam']);
    });

    it("drops a deleted account's memberships", async () => {
      await createUser(server, tokens.admin, 'temp', 'staff');
      expect((await call('sam', 'POST', '/api/channels/priv/members', { username: 'temp' })).status).toBe(200);
      expect((await call('sam', 'GET', '/api/channels/priv')).body.channel).toMatchObject({ member_count: 3 });
      expect((await api(server, 'DELETE', '/api/users/temp', { token: tokens.admin })).status).toBe(204);
      expect((await call('sam', 'GET', '/api/channels/priv')).body.channel).toMatchObject({ member_count: 2 });
      expect(((await call('sam', 'GET', '/api/channels/priv/members')).body.members as Json[]).map((m) => m.username)).toEqual(['sam', 'sue']);
    });
  });

  describe('PATCH /api/channels/:name', () => {
    it('renames for a manager: old messages move to the new name, members are told, the old name is free', async () => {
      const created = await create('sam', { name: 'old-name', visibility: 'private', members: ['sue'] });
      expect(created.status).toBe(201);
      const channel = (await server.app.get(ChannelRepository).findByName('old-name'))!;
      const sam = (await server.app.get(DatabaseService).db.selectFrom('users').select('id').where('username', '=', 'sam').executeTakeFirstOrThrow()).id;
      await server.app.get(MessageRepository).insertBatch([
        { client_id: null, sender_id: sam, sender_username: 'sam', sender_role: 'staff', sender_socket: 'test', target_kind: 'channel', target: 'old-name', recipient_id: null, conversation: `channel:${channel.id}`, audience: `channel:${channel.id}`, guest: null, mentions: null, body: 'before the rename', sent_at: Date.now() },
      ]);
      const sue = await socketOf('sue');
      const told = nextEvent(sue, 'channel_updated', (e) => e.previous_name === 'old-name');

      expect(answer(await call('sue', 'PATCH', '/api/channels/old-name', { name: 'new-name' }))).toEqual(refusal(403, ErrorCodes.Forbidden));
      expect(answer(await call('sam', 'PATCH', '/api/channels/old-name', { name: 'launch' }))).toEqual(refusal(409, ErrorCodes.ChannelExists));
      const renamed = await call('sam', 'PATCH', '/api/channels/old-name', { name: 'new-name', topic: 'Renamed' });
      expect(renamed.status).toBe(200);
      expect(renamed.body.channel).toMatchObject({ conversation: 'channel:new-name', name: 'new-name', topic: 'Renamed', manageable: true });
      expect(await told).toEqual({ channel: expect.objectContaining({ name: 'new-name', manageable: false }), previous_name: 'old-name' });
      const stored = await server.app.get(DatabaseService).db.selectFrom('messages').select(['target']).where('body', '=', 'before the rename').execute();
      expect(stored).toEqual([{ target: 'new-name' }]);
      expect((await call('sam', 'GET', '/api/channels/old-name')).status).toBe(404);
      expect((await create('sam', { name: 'old-name', visibility: 'public' })).status).toBe(201);
      const audit = await api(server, 'GET', '/api/admin/audit?action=channel.changed', { token: tokens.admin });
      expect(audit.body.entries).toEqual([
        expect.objectContaining({ actor: 'sam', target: 'new-name', details: { name: { from: 'old-name', to: 'new-name' }, topic: 'Renamed' } }),
      ]);
    });

    it('archives: readable by members, closed to new members, until unarchived (admins manage too)', async () => {
      expect((await create('sam', { name: 'done', visibility: 'public' })).status).toBe(201);
      expect((await call('ada', 'PATCH', '/api/channels/done', { archived: true })).body.channel).toMatchObject({ archived: true, manageable: true });
      expect(answer(await call('stu', 'POST', '/api/channels/done/members', { username: 'stu' }))).toEqual(refusal(409, ErrorCodes.ChannelArchived));
      expect(answer(await call('sam', 'POST', '/api/channels/done/members', { username: 'sue' }))).toEqual(refusal(409, ErrorCodes.ChannelArchived));
      expect((await call('sam', 'GET', '/api/channels/done')).body.channel).toMatchObject({ archived: true });
      expect((await call('sam', 'PATCH', '/api/channels/done', { archived: false })).body.channel).toMatchObject({ archived: false });
      expect((await call('stu', 'POST', '/api/channels/done/members', { username: 'stu' })).status).toBe(200);
      expect(answer(await call('sam', 'PATCH', '/api/channels/done', {}))).toEqual(refusal(400, ErrorCodes.InvalidPayload));
    });
  });

  describe('membership takes effect at once', () => {
    it("puts an open socket in the channel's room when added, and takes it out when removed", async () => {
      expect((await create('sam', { name: 'rooms', visibility: 'private', members: ['sue'] })).status).toBe(201);
      const stu = await socketOf('stu');
      const sue = await socketOf('sue');
      const atStu = record(stu, 'channel_updated');
      const topic = async (text: string) => {
        const seen = nextEvent(sue, 'channel_updated', (e) => e.channel.topic === text);
        expect((await call('sam', 'PATCH', '/api/channels/rooms', { topic: text })).status).toBe(200);
        await seen;
        await roundTrip(stu);
      };
      await topic('before');
      expect(atStu).toEqual([]);

      expect((await call('sam', 'POST', '/api/channels/rooms/members', { username: 'stu' })).status).toBe(200);
      await eventually(() => atStu.length === 1);
      await topic('while in');
      expect(atStu.map((e) => e.channel.topic)).toEqual(['before', 'while in']);
      expect(atStu[1].channel).toMatchObject({ member: true, member_count: 3 });

      const removed = nextEvent(stu, 'channel_removed');
      expect((await call('sam', 'DELETE', '/api/channels/rooms/members/stu')).status).toBe(204);
      expect(await removed).toEqual({ conversation: 'channel:rooms' });
      await topic('after');
      expect(atStu).toHaveLength(2);
    });

    it('lists the channels one is in in the sync ack, and not one left', async () => {
      const stu = await socketOf('stu');
      expect((await call('sam', 'POST', '/api/channels/rooms/members', { username: 'stu' })).status).toBe(200);
      const inIt = await requestOk(stu, 'sync', { since: 0 });
      expect(inIt.channels.map((c) => c.name)).toContain('rooms');
      expect(inIt.channels.find((c) => c.name === 'rooms')).toMatchObject({ conversation: 'channel:rooms', member: true, manageable: false, member_count: 3 });
      expect(inIt.channels.every((c) => c.member)).toBe(true);
      expect((await call('stu', 'DELETE', '/api/channels/rooms/members/stu')).status).toBe(204);
      expect((await requestOk(stu, 'sync', { since: 0 })).channels.map((c) => c.name)).not.toContain('rooms');
    });

    it('answers the message path from memory for a known channel, and sees every change', async () => {
      const access = server.app.get(ChannelAccess);
      const repository = server.app.get(ChannelRepository);
      const channel = (await access.findByName('rooms'))!;
      const stuId = Number((await server.app.get(DatabaseService).db.selectFrom('users').select('id').where('username', '=', 'stu').executeTakeFirstOrThrow()).id);
      expect(await access.isMember(channel.id, stuId)).toBe(false);
      const reads = [jest.spyOn(repository, 'findByName'), jest.spyOn(repository, 'channelIdsOf'), jest.spyOn(repository, 'isMember')];
      try {
        for (let i = 0; i < 3; i++) {
          expect((await access.findByName('rooms'))?.id).toBe(channel.id);
          expect(await access.isMember(channel.id, stuId)).toBe(false);
        }
        expect(reads.map((spy) => spy.mock.calls.length)).toEqual([0, 0, 0]);
        expect((await call('sam', 'POST', '/api/channels/rooms/members', { username: 'stu' })).status).toBe(200);
        expect(await access.isMember(channel.id, stuId)).toBe(true);
        expect((await call('sam', 'PATCH', '/api/channels/rooms', { name: 'rooms-2' })).status).toBe(200);
        expect(await access.findByName('rooms')).toBeUndefined();
        expect((await access.findByName('rooms-2'))?.id).toBe(channel.id);
      } finally {
        for (const spy of reads) spy.mockRestore();
      }
    });
  });
});
