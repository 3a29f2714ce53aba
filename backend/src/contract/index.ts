/**
 * @parley/contract: what the server, the web app, the tests and third-party clients agree on.
 * Everything here is plain TypeScript with no runtime dependency, so the web app can import
 * it whole; the zod validators behind the payload types are `@parley/contract/schemas`, which
 * only the server (and tests) load.
 */
export * from './announcements';
export * from './audit';
export * from './channels';
export * from './conversation-id';
export * from './deleted-user';
export * from './events';
export * from './files';
export * from './mentions';
export * from './password-policy';
export * from './permissions';
export * from './protocol';
export * from './reactions';
export * from './rest';
export * from './roles';
export * from './search';
export * from './sign-in';
export * from './username';
export * from './webhooks';
