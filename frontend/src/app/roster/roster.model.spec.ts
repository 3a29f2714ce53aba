import type { RosterEntry } from '@parley/contract';
import { applyRosterDiff, connectionsLabel, sortRoster, spansNodes } from './roster.model';

const entry = (socket_id: string, over: Partial<RosterEntry> = {}): RosterEntry => ({
  socket_id,
  user_name: socket_id,
  display_name: socket_id,
  role: 'staff',
  ip: '10.0.0.1',
  user_agent: 'ua',
  connected_at: '2026-11-25T09:00:00.000Z',
  verification: 'VERIFIED',
  node: 'node-1',
  ...over,
});

describe('roster model', () => {
  it('applies a diff: removes, adds and replaces by socket id', () => {
    const next = applyRosterDiff([entry('a'), entry('b')], {
      version: 2,
      upserted: [entry('b', { role: 'admin' }), entry('c')],
      removed: ['a'],
    });
    expect(next.map((e) => [e.socket_id, e.role])).toEqual([
      ['b', 'admin'],
      ['c', 'staff'],
    ]);
  });

  it('sorts by any column in either direction (empty values sort as the empty string)', () => {
    const rows = [entry('x', { user_name: 'zed' }), entry('y', { user_name: null }), entry('z', { user_name: 'amy' })];
    expect(sortRoster(rows, 'user_name', 'asc').map((e) => e.user_name)).toEqual([null, 'amy', 'zed']);
    expect(sortRoster(rows, 'user_name', 'desc').map((e) => e.user_name)).toEqual(['zed', 'amy', null]);
  });

  it('spans nodes only when connections are on more than one', () => {
    expect(spansNodes([])).toBe(false);
    expect(spansNodes([entry('a'), entry('b')])).toBe(false);
    expect(spansNodes([entry('a'), entry('b', { node: 'node-2' })])).toBe(true);
  });

  it('sorts by node', () => {
    const rows = sortRoster([entry('a', { node: 'n2' }), entry('b', { node: 'n1' })], 'node', 'asc');
    expect(rows.map((r) => r.socket_id)).toEqual(['b', 'a']);
  });
});

describe('connectionsLabel', () => {
  it('says "1 connection", and the plural otherwise', () => {
    expect(connectionsLabel(0)).toBe('0 connections');
    expect(connectionsLabel(1)).toBe('1 connection');
    expect(connectionsLabel(2)).toBe('2 connections');
  });
});
