import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';
import { ClientEvents, ServerEvents } from '@parley/contract';

/*
 * The web app names every Parley event through ClientEvents/ServerEvents: a literal
 * 'send_message' compiles (it is a valid event), but it hides the event from "find references"
 * and lets a rename in the contract leave the app behind. This guard reads the app's sources and
 * fails on any string literal equal to an event name. It looks at string literals in code only:
 * comments and Angular template text are not code, and socket.io's own events ('connect',
 * 'disconnect', 'reconnect_attempt') are not Parley events, so neither is flagged.
 */

const EVENT_NAMES: ReadonlySet<string> = new Set([...Object.values(ClientEvents), ...Object.values(ServerEvents)]);
const APP = join(__dirname, '..');

/** `file:line: 'name'` for each string literal in `source` that is a Parley event name. */
function eventLiterals(file: string, source: string): string[] {
  const sourceFile = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && EVENT_NAMES.has(node.text)) {
      const { line } = sourceFile.getLineAndCharacterOfPosition(node.getStart());
      found.push(`${file}:${line + 1}: ${node.getText()}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return found;
}

/** Every .ts file under frontend/src/app except specs, relative to it. */
function appSources(): string[] {
  return readdirSync(APP, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts'))
    .sort();
}

describe('event names in the web app', () => {
  it('are flagged when quoted in code, and not in comments or for socket.io\'s own events', () => {
    const sample = [
      "socket.on('connect', () => undefined);",
      "socket.on('disconnect', () => undefined);",
      "socket.io.on('reconnect_attempt', () => undefined);",
      "// replays with 'sync' from the cursor",
      "void connection.request('send_message', payload);",
      'connection.on(`presence`);',
      'const handlers = { "mark_read": ack };',
    ].join('\n');
    expect(eventLiterals('sample.ts', sample)).toEqual([
      "sample.ts:5: 'send_message'",
      'sample.ts:6: `presence`',
      'sample.ts:7: "mark_read"',
    ]);
  });

  it('come only from ClientEvents and ServerEvents in every source file', () => {
    const files = appSources();
    // The scan must see the files that talk to the socket, or it proves nothing.
    expect(files).toEqual(expect.arrayContaining(['chat/chat.store.ts', 'core/socket.service.ts', 'roster/roster.component.ts']));
    const literals = files.flatMap((file) => eventLiterals(file, readFileSync(join(APP, file), 'utf8')));
    expect(literals).toEqual([]);
  });
});
