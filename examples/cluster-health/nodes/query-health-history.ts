import type { Context } from "tentacular";
import { Client } from "jsr:@db/postgres@0.19.5";

const QUERY = `
SELECT id, collected_at, total_nodes, ready_nodes, total_pods, healthy_pods,
       problem_pods, nodes_json, problem_pods_json, namespaces_json
FROM health_snapshots
WHERE collected_at >= NOW() - INTERVAL '24 hours'
ORDER BY collected_at ASC;
`;

/** The last 24 hours of snapshots, as the original's reporter reads them. */
export default async function run(ctx: Context, _input: unknown) {
  const password = ctx.secrets?.postgres?.password;
  if (!password) {
    ctx.log.warn("No postgres.password in secrets -- skipping");
    return { records: [], snapshotCount: 0 };
  }
  const client = new Client({
    hostname: ctx.config.pg_host as string,
    port: ctx.config.pg_port as number,
    database: ctx.config.pg_database as string,
    user: ctx.config.pg_user as string,
    password,
    tls: { enabled: false },
  });
  try {
    await client.connect();
    const result = await client.queryObject<{
      id: number;
      collected_at: Date;
      total_nodes: number;
      ready_nodes: number;
      problem_pods: number;
      problem_pods_json: unknown;
      namespaces_json: unknown;
    }>(QUERY);
    const records = result.rows.map((r) => ({
      id: r.id,
      collectedAt: r.collected_at.toISOString(),
      totalNodes: r.total_nodes,
      readyNodes: r.ready_nodes,
      problemPods: r.problem_pods,
      problemPodsJson: r.problem_pods_json,
      namespacesJson: r.namespaces_json,
    }));
    ctx.log.info(`Retrieved ${records.length} snapshots from the last 24h`);
    return { records, snapshotCount: records.length };
  } finally {
    await client.end();
  }
}
