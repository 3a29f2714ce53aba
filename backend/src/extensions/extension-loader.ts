import { existsSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DynamicModule, Provider, Type } from '@nestjs/common';
import { AccountHooks } from './account-hooks.service';
import { ExtensionsModule, SHARED_EXTENSION_SERVICES, type SharedExtensionServices } from './extensions.module';
import type * as PublicApi from './index';
import { MessageHooks } from './message-hooks.service';
import { MessageSender } from './message-sender.service';

/** `parley/extensions` as an object: what an extension's default-exported function is given. */
export type ParleyApi = typeof PublicApi;
/** A Nest module: a class decorated with `@Module`, or a dynamic module (`{ module, providers, ... }`). */
export type ExtensionModule = Type | DynamicModule;
/**
 * An extension file's default export: its Nest module, or a function given the public API
 * (for a file outside the Parley folder, which cannot import `parley/extensions`) that returns it.
 */
export type ExtensionDefault = ExtensionModule | ((parley: ParleyApi) => ExtensionModule | Promise<ExtensionModule>);
/** An extension file's optional `overrides` export: providers replacing Parley's own (docs/architecture.md, "Replacing a service"). */
export type ExtensionOverrides = Provider[] | ((parley: ParleyApi) => Provider[]);

export interface LoadedExtension {
  /** As listed in PARLEY_EXTENSIONS. */
  file: string;
  /** The file name without its extension: labels its hooks' failures in logs and metrics. */
  name: string;
  module: ExtensionModule;
  overrides: Provider[];
}

/** A start that cannot go on because of one extension; main.ts prints the message alone. */
export class ExtensionLoadError extends Error {
  constructor(file: string, reason: string) {
    super(`PARLEY_EXTENSIONS: ${file}: ${reason}`);
    this.name = 'ExtensionLoadError';
  }
}

const isClass = (value: unknown): value is Type => typeof value === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(value));
const isDynamicModule = (value: unknown): value is DynamicModule =>
  typeof value === 'object' && value !== null && isClass((value as DynamicModule).module);

/**
 * Imports each file in order, with Node's own `import()`: the files are ES modules, and an
 * `import 'parley/extensions'` in them must reach the very files this server runs (dist/, which
 * Node's require cache shares with ESM imports of CommonJS), or `MessageHooks` in the extension
 * would be another class than the one the server injects.
 */
export async function loadExtensions(files: readonly string[], api: ParleyApi, cwd = process.cwd()): Promise<LoadedExtension[]> {
  const loaded: LoadedExtension[] = [];
  for (const file of files) loaded.push(await loadExtension(file, api, cwd));
  return loaded;
}

async function loadExtension(file: string, api: ParleyApi, cwd: string): Promise<LoadedExtension> {
  const path = resolve(cwd, file);
  const fail = (reason: string) => new ExtensionLoadError(file, reason);
  if (!existsSync(path)) throw fail(`no such file (looked for ${path})`);
  let exported: { default?: unknown; overrides?: unknown };
  try {
    exported = (await import(pathToFileURL(path).href)) as typeof exported;
  } catch (error) {
    throw fail(`could not be loaded: ${messageOf(error)}`);
  }
  let module: unknown = exported.default;
  if (module === undefined) throw fail('has no default export (its Nest module, or a function returning one)');
  if (typeof module === 'function' && !isClass(module)) {
    try {
      module = await (module as (parley: ParleyApi) => unknown)(api);
    } catch (error) {
      throw fail(`its default export threw: ${messageOf(error)}`);
    }
  }
  if (!isClass(module) && !isDynamicModule(module)) {
    throw fail('its default export is not a Nest module (a class with @Module, a dynamic module, or a function returning one)');
  }
  const nestModule: ExtensionModule = module;
  let overrides: unknown = exported.overrides ?? [];
  if (typeof overrides === 'function') {
    try {
      overrides = (overrides as (parley: ParleyApi) => unknown)(api);
    } catch (error) {
      throw fail(`its overrides export threw: ${messageOf(error)}`);
    }
  }
  if (!Array.isArray(overrides)) throw fail('its overrides export is not a list of providers');
  return { file, name: basename(file, extname(file)), module: nestModule, overrides: overrides as Provider[] };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * An extension's module as the app imports it: with ExtensionsModule, and with its own handle on
 * each hook service and the sender, named after the file and ordered by its place in the list.
 */
export function extensionModule(extension: LoadedExtension, position: number, overrides: readonly Provider[]): DynamicModule {
  const source = { extension: extension.name, position };
  const base: DynamicModule = isDynamicModule(extension.module) ? extension.module : { module: extension.module };
  const scoped = (provide: Type, pick: (services: SharedExtensionServices) => { forExtension(s: typeof source): unknown }): Provider => ({
    provide,
    useFactory: (services: SharedExtensionServices) => pick(services).forExtension(source),
    inject: [SHARED_EXTENSION_SERVICES],
  });
  return {
    ...base,
    imports: [...(base.imports ?? []), ExtensionsModule.forRoot(overrides)],
    providers: [
      ...(base.providers ?? []),
      scoped(MessageHooks, (services) => services.messageHooks),
      scoped(AccountHooks, (services) => services.accountHooks),
      scoped(MessageSender, (services) => services.sender),
    ],
  };
}
