import { randomBytes } from 'node:crypto';
import { dropTestSchema, TEST_POSTGRES_URL } from '../../backend/src/storage/testing/test-databases';
import type { ChildServer } from './child-server';

export const CLUSTER_ADMIN_PASSWORD = 'cluster-admin-password';

/**
 * What every node of a multi-node spec shares: one PostgreSQL schema and one Redis channel
 * prefix of its own per run (so runs never see each other), and the admin's password.
 */
export function clusterEnv(schemaPrefix: string, extra: Record<string, string> = {}): { schema: string; env: Record<string, string> } {
  const run = randomBytes(5).toString('hex');
  const schema = `${schemaPrefix}_${run}`;
  return {
    schema,
    env: {
      PARLEY_DATABASE_URL: TEST_POSTGRES_URL,
      PARLEY_DATABASE_SCHEMA: schema,
      PARLEY_REDIS_URL: 'redis://127.0.0.1:6379',
      PARLEY_REDIS_PREFIX: `parley-test-${run}`,
      PARLEY_ADMIN_PASSWORD: CLUSTER_ADMIN_PASSWORD,
      ...extra,
    },
  };
}

/** Stops the nodes still running (a spec may have killed some) and drops the run's schema. */
export async function stopCluster(nodes: readonly (ChildServer | undefined)[], schema: string): Promise<void> {
  for (const node of nodes) {
    if (node && node.child.exitCode === null && node.child.signalCode === null) {
      node.child.kill('SIGTERM');
      await node.exited;
    }
  }
  await dropTestSchema(schema);
}
