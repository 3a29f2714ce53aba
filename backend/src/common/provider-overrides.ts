import type { DynamicModule, InjectionToken, Provider, Type } from '@nestjs/common';

/** The DI token a provider registers under. */
export function providerToken(provider: Provider): unknown {
  return typeof provider === 'function' ? provider : provider.provide;
}

/**
 * A module's providers with any of them replaced by an integrator's provider for the same
 * token (see docs/architecture.md, "Replacing a service"). Overrides for other modules'
 * tokens are ignored here and picked up by the module that owns them.
 */
export function withOverrides(defaults: Provider[], overrides: readonly Provider[]): Provider[] {
  const ownTokens = new Set(defaults.map(providerToken));
  const mine = overrides.filter((override) => ownTokens.has(providerToken(override)));
  const replaced = new Set(mine.map(providerToken));
  return [...defaults.filter((provider) => !replaced.has(providerToken(provider))), ...mine];
}

/** The overrides of an app built without any; one list, so its modules are built once too. */
export const NO_OVERRIDES: readonly Provider[] = Object.freeze([]);

/** What a feature module declares: what it uses, what it provides, what it lets others use. */
export interface FeatureModule extends Pick<DynamicModule, 'imports' | 'controllers'> {
  /** Built here, each replaceable by an override for its token. */
  providers: Provider[];
  /** Built here and never replaced: gateways and app-wide enhancers (APP_GUARD). */
  fixedProviders?: Provider[];
  /** Tokens of `providers` that other modules inject; a replacement keeps its token, so it is what they get. */
  exports?: InjectionToken[];
}

const built = new WeakMap<readonly Provider[], Map<Type, DynamicModule>>();

/**
 * A non-global module whose providers honour the integrator's overrides. Modules import each
 * other through `forRoot(overrides)`, so one module is asked for by several importers; Nest tells
 * dynamic modules apart by object identity, and a second object would be a second module with its
 * own DatabaseService or Broadcaster. So each module is built once per overrides list and the same
 * object is handed to every importer (`define` runs only then, which also keeps the walk over the
 * import graph linear).
 *
 * A replacement is built inside the module that owns its token: it can inject what that module
 * imports, plus the global AppConfig. An import cycle overflows the stack here (each module's `define`
 * asks for the other): move the provider to the module where it belongs instead.
 */
export function overridableModule(module: Type, overrides: readonly Provider[], define: () => FeatureModule): DynamicModule {
  let modules = built.get(overrides);
  if (!modules) built.set(overrides, (modules = new Map()));
  const existing = modules.get(module);
  if (existing) return existing;
  const { providers, fixedProviders = [], exports = [], ...rest } = define();
  const dynamic: DynamicModule = { module, ...rest, providers: [...withOverrides(providers, overrides), ...fixedProviders], exports };
  modules.set(module, dynamic);
  return dynamic;
}
