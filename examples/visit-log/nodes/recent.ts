import type { Context } from "tentacular";
import { Client } from "jsr:@db/postgres@0.19.5";

interface Recorded {
  stored: boolean;
  visitor: string;
  id?: number;
}

/** The latest visits, newest first, and how often the visitor came. */
export default async function run(ctx: Context, input: Recorded) {
  const db = ctx.dependency("visits-db");
  if (!input.stored || !db.secret) {
    return { visitor: input.visitor, visits: 0, recent: [] };
  }
  const client = new Client({ hostname: db.host, port: db.port, database: db.database, user: db.user, password: db.secret });
  await client.connect();
  try {
    const limit = Number(ctx.config.recent ?? 5);
    const recent = await client.queryObject<{
      id: bigint | number;
      visitor: string;
      tags: string[];
      details: Record<string, unknown>;
      visitedAt: Date;
    }>({
      text: "SELECT id, visitor, tags, details, visited_at FROM visits ORDER BY visited_at DESC, id DESC LIMIT $1",
      args: [limit],
      camelCase: true,
    });
    const count = await client.queryArray<[number]>("SELECT count(*) FROM visits WHERE visitor = $1", [input.visitor]);
    return {
      visitor: input.visitor,
      visits: Number(count.rows[0][0]),
      recent: recent.rows.map((r) => ({
        id: Number(r.id),
        visitor: r.visitor,
        tags: r.tags,
        details: r.details,
        visitedAt: r.visitedAt.toISOString(),
      })),
    };
  } finally {
    await client.end();
  }
}
