/**
 * Parley's public API for extensions: `import { ... } from 'parley/extensions'` in a file inside
 * the Parley folder, or the object an extension's default-exported function is given. Only what
 * is here is promised to stay; see docs/extensions.md.
 */
// Nest's decorators, so an extension needs nothing but Parley (and a plain .mjs file can call
// them as functions: Node has no decorator syntax).
export { Inject, Injectable, Logger, Module } from '@nestjs/common';
export type { DynamicModule, OnApplicationBootstrap, OnModuleDestroy, OnModuleInit, Provider } from '@nestjs/common';
export { ErrorCodes, type ErrorCode, type Role, type WireMessage } from '@parley/contract';
export { ParleyError } from '../common/parley-error';
export { PermissionPolicy, TablePermissionPolicy, type PolicyUser } from '../permissions/permission-policy';
export { AccountHooks, type AccountChange, type AccountHook, type AccountHookEvent } from './account-hooks.service';
export type { ExtensionDefault, ExtensionModule, ExtensionOverrides, ParleyApi } from './extension-loader';
export {
  MessageHooks,
  type AfterDeliveryHook,
  type BeforeStoreHook,
  type BeforeStoreResult,
  type DeliveredMessage,
  type HookTarget,
  type HookUser,
  type OutgoingMessage,
} from './message-hooks.service';
export { MessageSender, type SendAsOptions } from './message-sender.service';
