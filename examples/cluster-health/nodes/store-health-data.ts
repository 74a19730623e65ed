import type { Context } from "tentacular";
import { Client } from "jsr:@db/postgres@0.19.5";

interface Snapshot {
  collectedAt: string;
  nodes: unknown[];
  problemPods: unknown[];
  namespaces: unknown[];
  summary: { totalNodes: number; readyNodes: number; totalPods: number; healthyPods: number; problemPods: number };
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS health_snapshots (
  id SERIAL PRIMARY KEY,
  collected_at TIMESTAMPTZ NOT NULL,
  total_nodes INT NOT NULL,
  ready_nodes INT NOT NULL,
  total_pods INT NOT NULL,
  healthy_pods INT NOT NULL,
  problem_pods INT NOT NULL,
  nodes_json JSONB NOT NULL,
  problem_pods_json JSONB NOT NULL,
  namespaces_json JSONB NOT NULL
);

CREATE INDEX IF NOT EXISTS health_snapshots_collected_at
  ON health_snapshots (collected_at DESC);
`;

const INSERT = `
INSERT INTO health_snapshots (
  collected_at, total_nodes, ready_nodes, total_pods, healthy_pods,
  problem_pods, nodes_json, problem_pods_json, namespaces_json
) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
RETURNING id;
`;

/** Stores a health snapshot: the original's pattern, settings from config, password from secrets. */
export default async function run(ctx: Context, input: unknown) {
  const snapshot = input as Snapshot;
  const password = ctx.secrets?.postgres?.password;
  if (!password) {
    ctx.log.warn("No postgres.password in secrets -- not storing");
    return { stored: false, rowId: 0 };
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
    await client.queryArray(SCHEMA);
    const result = await client.queryArray(INSERT, [
      snapshot.collectedAt,
      snapshot.summary.totalNodes,
      snapshot.summary.readyNodes,
      snapshot.summary.totalPods,
      snapshot.summary.healthyPods,
      snapshot.summary.problemPods,
      JSON.stringify(snapshot.nodes),
      JSON.stringify(snapshot.problemPods),
      JSON.stringify(snapshot.namespaces),
    ]);
    const rowId = Number(result.rows[0]?.[0] ?? 0);
    ctx.log.info(`Stored snapshot as row ${rowId}`);
    return { stored: true, rowId };
  } finally {
    await client.end();
  }
}
