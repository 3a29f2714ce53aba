/**
 * @parley/contract/schemas: the validators at the server's edges (socket payloads, REST bodies
 * and queries, and the REST responses the OpenAPI description is generated from). The payload
 * types in @parley/contract are inferred from these.
 */
export * from './announcements';
export * from './audit';
export * from './auth';
export * from './bots';
export * from './channels';
export * from './fields';
export * from './incoming-webhooks';
export * from './messages';
export * from './retention';
export * from './search';
export * from './socket';
export * from './users';
export * from './webhooks';
