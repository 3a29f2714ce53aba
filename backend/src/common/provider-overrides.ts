import type { DynamicModule, Provider } from '@nestjs/common';

/** The DI token a provider registers under. */
export function providerToken(provider: Provider): unknown {
  return typeof provider === 'function' ? provider : provider.provide;
}

/**
 * A module's providers with any of them replaced by an integrator's provider for the same
 * token (see docs/architecture.md, "Replacing a service"). Overrides for other modules'
 * tokens are ignored here and picked up by the module that owns them.
 */
export function withOverrides(defaults: Provider[], overrides: Provider[]): Provider[] {
  const ownTokens = new Set(defaults.map(providerToken));
  const mine = overrides.filter((override) => ownTokens.has(providerToken(override)));
  const replaced = new Set(mine.map(providerToken));
  return [...defaults.filter((provider) => !replaced.has(providerToken(provider))), ...mine];
}

/** Tokens a module exports: all of its providers, whichever implementation is bound. */
export function tokensOf(providers: Provider[]): Array<string | symbol | Function> {
  return providers.map(providerToken) as Array<string | symbol | Function>;
}

/** A global dynamic module binding `defaults`, with any overrides for their tokens applied. */
export function overridableModule(
  module: DynamicModule['module'],
  defaults: Provider[],
  overrides: Provider[],
  extra: Omit<DynamicModule, 'module' | 'providers' | 'exports'> = {},
): DynamicModule {
  const providers = withOverrides(defaults, overrides);
  return { module, global: true, ...extra, providers, exports: tokensOf(providers) };
}
