import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { MAT_DIALOG_DATA, MatDialogRef } from '@angular/material/dialog';
import type { ChannelInfo, ChannelMember, DirectoryEntry } from '@parley/contract';
import { ChatStore } from '../chat/chat.store';
import { eventually } from '../../testing/eventually';
import { ChannelBrowserDialogComponent } from './channel-browser.dialog';
import { ChannelDetailsDialogComponent } from './channel-details.dialog';
import { ChannelsStore } from './channels.store';

const channel = (name: string, over: Partial<ChannelInfo> = {}): ChannelInfo => ({
  conversation: `channel:${name}`, name, topic: '', visibility: 'public', builtin: false, archived: false, member: false,
  manageable: false, member_count: 3, created_by: 'ada', created_at: '2026-12-01T00:00:00.000Z', ...over,
});
const people: DirectoryEntry[] = [{ username: 'cleo', display_name: 'Cleo', role: 'client', online: true }];

/** A ChannelsStore double: the dialogs' decisions are what is tested here; the store has its own spec. */
function fakeStore(over: { canCreate?: boolean; canBrowse?: boolean; channels?: ChannelInfo[] } = {}) {
  return {
    canCreate: signal(over.canCreate ?? true),
    canBrowse: signal(over.canBrowse ?? true),
    channels: signal(over.channels ?? []),
    list: jest.fn(async () => [channel('news'), channel('ops', { member: true, visibility: 'private' })]),
    join: jest.fn(async () => undefined),
    create: jest.fn(async (request: { name: string }) => channel(request.name, { member: true })),
    members: jest.fn(async (): Promise<ChannelMember[]> => [
      { username: 'sam', display_name: 'Sam', role: 'staff', online: true },
      { username: 'cleo', display_name: 'Cleo', role: 'client', online: false },
    ]),
    removeMember: jest.fn(async () => undefined),
    update: jest.fn(async () => undefined),
  };
}

describe('channel dialogs', () => {
  let closed: unknown[];
  function setUp(store: ReturnType<typeof fakeStore>, data: object) {
    closed = [];
    TestBed.configureTestingModule({
      providers: [
        { provide: ChannelsStore, useValue: store },
        { provide: ChatStore, useValue: { me: signal({ username: 'sam', display_name: 'Sam', role: 'staff' }), presence: signal(null) } },
        { provide: MAT_DIALOG_DATA, useValue: data },
        { provide: MatDialogRef, useValue: { close: (result: unknown) => closed.push(result) } },
        { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } },
      ],
    });
  }

  describe('Browse / create', () => {
    async function render(store = fakeStore()) {
      setUp(store, { people });
      const fixture = TestBed.createComponent(ChannelBrowserDialogComponent);
      fixture.detectChanges();
      await eventually(() => fixture.componentInstance.state() !== 'loading', { what: 'the list loaded' });
      await fixture.whenStable();
      return { fixture, host: fixture.nativeElement as HTMLElement, store };
    }

    it('lists the channels: public ones to join, the user\'s own to open', async () => {
      const { host, store, fixture } = await render();
      expect(host.querySelector('[data-channel="news"] button')!.textContent).toContain('Join');
      expect(host.querySelector('[data-channel="ops"] button')!.textContent).toContain('Open');
      expect(host.querySelector('[data-channel="ops"]')!.textContent).toContain('(private)');
      (host.querySelector('[data-channel="news"] button') as HTMLButtonElement).click();
      await fixture.whenStable();
      expect(store.join).toHaveBeenCalledWith('news');
      expect(closed).toEqual([{ open: 'channel:news' }]);
    });

    it('shows the loading failure with a way to try again, and an empty list as such', async () => {
      const store = fakeStore();
      store.list.mockRejectedValueOnce(new Error('The server cannot be reached')).mockResolvedValueOnce([]);
      const { host, fixture } = await render(store);
      await eventually(() => expect(host.querySelector('[role="alert"]')?.textContent).toContain('The server cannot be reached'));
      (Array.from(host.querySelectorAll('button')).find((b) => b.textContent!.includes('Try again')) as HTMLButtonElement).click();
      await fixture.whenStable();
      expect(host.querySelector('[data-testid="no-channels-found"]')!.textContent).toContain('no channels yet');
    });

    it('checks the name by the contract\'s rule before asking, and sends the form with the invited people', async () => {
      const { host, store, fixture } = await render();
      expect(host.textContent).toContain('Lower-case letters, digits');
      const component = fixture.componentInstance;
      component.form.setValue({ name: 'staff', topic: '', visibility: 'private' });
      await component.create();
      fixture.detectChanges();
      expect(store.create).not.toHaveBeenCalled();
      expect(host.querySelector('mat-error')!.textContent).toContain('not a role name');

      component.form.setValue({ name: ' News ', topic: ' Headlines ', visibility: 'private' });
      component.invitees.set(people);
      await component.create();
      expect(store.create).toHaveBeenCalledWith({ name: 'news', visibility: 'private', topic: 'Headlines', members: ['cleo'] });
      expect(closed).toEqual([{ open: 'channel:news' }]);
    });

    it('says why the server refused (a role without the permission gets a 403)', async () => {
      const store = fakeStore();
      store.create.mockRejectedValueOnce(new Error('You are not allowed to do that here.'));
      const { host, fixture } = await render(store);
      fixture.componentInstance.form.setValue({ name: 'news', topic: '', visibility: 'public' });
      await fixture.componentInstance.create();
      fixture.detectChanges();
      expect(host.querySelector('form [role="alert"]')!.textContent).toContain('not allowed');
    });

    it('shows a client no create form and no Join buttons', async () => {
      const { host } = await render(fakeStore({ canCreate: false, canBrowse: false }));
      expect(host.querySelector('form')).toBeNull();
      expect(host.querySelector('[data-channel="news"] button')).toBeNull();
      expect(host.textContent).toContain('Your channels');
    });
  });

  describe('details and members', () => {
    async function render(info: ChannelInfo) {
      const store = fakeStore({ channels: [info] });
      setUp(store, { conversation: info.conversation, people });
      const fixture = TestBed.createComponent(ChannelDetailsDialogComponent);
      fixture.detectChanges();
      await eventually(() => fixture.componentInstance.state() !== 'loading', { what: 'the members loaded' });
      await fixture.whenStable();
      return { fixture, host: fixture.nativeElement as HTMLElement, store };
    }

    it('lists members with presence; a manager may remove others, rename and archive', async () => {
      const { host, store, fixture } = await render(channel('ops', { member: true, manageable: true }));
      expect(host.querySelector('[data-member="sam"]')!.textContent).toContain('(online)');
      expect(host.querySelector('[data-member="sam"]')!.textContent).toContain('you');
      expect(host.querySelector('[data-member="cleo"]')!.textContent).toContain('(offline)');
      (host.querySelector('[data-member="cleo"] button') as HTMLButtonElement).click();
      await fixture.whenStable();
      expect(store.removeMember).toHaveBeenCalledWith('ops', 'cleo');
      expect(host.querySelector('[data-member="cleo"]')).toBeNull();

      fixture.componentInstance.form.setValue({ name: 'ops-team', topic: 'On call' });
      fixture.componentInstance.form.markAsDirty();
      await fixture.componentInstance.save();
      expect(store.update).toHaveBeenCalledWith('ops', { name: 'ops-team', topic: 'On call' });
    });

    it('shows others only the topic and members, and an archived channel as such', async () => {
      const { host } = await render(channel('news', { member: true, topic: 'Headlines', archived: true }));
      expect(host.querySelector('form')).toBeNull();
      expect(host.textContent).toContain('Headlines');
      expect(host.querySelector('[role="note"]')!.textContent).toContain('Archived');
      expect(host.querySelector('[data-member="cleo"] button')).toBeNull();
      // Archived: nobody is added any more.
      expect(host.querySelector('.add')).toBeNull();
    });

    it('lets a member who is not a client add someone, without managing the channel', async () => {
      const { host } = await render(channel('news', { member: true }));
      expect(host.querySelector('form')).toBeNull();
      expect(host.querySelector('.add')).not.toBeNull();
    });
  });
});
