import type { Context } from "tentacular";
import { Client } from "jsr:@db/postgres@0.19.5";

interface Visit {
  visitor?: string;
  tags?: string[];
  details?: Record<string, unknown>;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS visits (
  id BIGSERIAL PRIMARY KEY,
  visitor TEXT NOT NULL,
  tags TEXT[] NOT NULL DEFAULT '{}',
  details JSONB NOT NULL DEFAULT '{}',
  visited_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS visits_visited_at ON visits (visited_at DESC);
`;

/** Stores one visit and returns its id; without credentials (fixtures) it stores nothing. */
export default async function run(ctx: Context, input: Visit) {
  const visitor = (input.visitor ?? "").trim();
  if (visitor === "") throw new Error("input.visitor is required");
  const db = ctx.dependency("visits-db");
  if (!db.secret) {
    ctx.log.warn("no visits.password secret: nothing stored");
    return { stored: false, visitor };
  }
  const client = new Client({
    hostname: db.host,
    port: db.port,
    database: db.database,
    user: db.user,
    password: db.secret,
  });
  await client.connect();
  try {
    await client.queryArray(SCHEMA);
    const tx = client.createTransaction("record-visit");
    await tx.begin();
    const { rows } = await tx.queryObject<{ id: number }>`
      INSERT INTO visits (visitor, tags, details, visited_at)
      VALUES (${visitor}, ${input.tags ?? []}, ${input.details ?? {}}, ${new Date()})
      RETURNING id`;
    await tx.commit();
    ctx.log.info(`stored visit ${rows[0].id} of ${visitor}`);
    return { stored: true, visitor, id: Number(rows[0].id) };
  } finally {
    await client.end();
  }
}
