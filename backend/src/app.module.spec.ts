import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DynamicModule, Type } from '@nestjs/common';
import { GLOBAL_MODULE_METADATA } from '@nestjs/common/constants';
import { AppModule } from './app.module';
import { CliModule } from './cli/cli.module';
import { ParleyConfigModule } from './config/config.module';

/** Every module class declared in backend/src/<feature>/*.module.ts. */
async function parleyModuleClasses(): Promise<Set<Type>> {
  const classes = new Set<Type>();
  for (const feature of readdirSync(__dirname, { withFileTypes: true }).filter((entry) => entry.isDirectory())) {
    for (const file of readdirSync(join(__dirname, feature.name)).filter((name) => name.endsWith('.module.ts'))) {
      const exported = (await import(join(__dirname, feature.name, file))) as Record<string, unknown>;
      for (const value of Object.values(exported)) if (typeof value === 'function' && value.name.endsWith('Module')) classes.add(value as Type);
    }
  }
  return classes;
}

/** Each module object the app's import graph reaches, by class. */
function reachableModules(root: DynamicModule): Map<Type, Set<DynamicModule | Type>> {
  const byClass = new Map<Type, Set<DynamicModule | Type>>();
  const visit = (node: DynamicModule | Type) => {
    const moduleClass = 'module' in node ? node.module : node;
    const seen = byClass.get(moduleClass) ?? new Set();
    byClass.set(moduleClass, seen);
    if (seen.has(node)) return;
    seen.add(node);
    const imports = 'module' in node ? (node.imports ?? []) : [];
    for (const imported of imports) visit(imported as DynamicModule | Type);
  };
  visit(root);
  return byClass;
}

describe('the module graph', () => {
  const graph = reachableModules(AppModule.forRoot({ overrides: [] }));

  it('holds each Parley module once, however many modules import it', async () => {
    const parley = await parleyModuleClasses();
    for (const [moduleClass, objects] of graph) {
      if (parley.has(moduleClass)) expect({ module: moduleClass.name, objects: objects.size }).toEqual({ module: moduleClass.name, objects: 1 });
    }
  });

  it('has no global Parley module but the configuration', async () => {
    const parley = await parleyModuleClasses();
    const global = [...graph]
      .filter(([moduleClass]) => parley.has(moduleClass))
      .filter(([moduleClass, [node]]) => Reflect.getMetadata(GLOBAL_MODULE_METADATA, moduleClass) === true || (node as DynamicModule).global === true)
      .map(([moduleClass]) => moduleClass);
    expect(global).toEqual([ParleyConfigModule]);
  });

  it('reaches every feature module from AppModule (the CLI has its own root)', async () => {
    const unreached = [...(await parleyModuleClasses())].filter((moduleClass) => !graph.has(moduleClass) && moduleClass !== AppModule && moduleClass !== CliModule);
    expect(unreached.map((moduleClass) => moduleClass.name)).toEqual([]);
  });
});
