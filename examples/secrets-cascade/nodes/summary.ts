import type { Context } from "tentacular";
import type { Profile } from "./github-profile.ts";
import type { Headline } from "./headlines.ts";
import type { RateLimit } from "./rate-limit.ts";
import { logVisibleSecrets } from "./visible.ts";

interface Inputs {
  "github-profile": Profile;
  headlines: { headlines: Headline[] };
  "rate-limit": RateLimit;
}

/** Fan-in of the three fetchers (keyed by node id, in edge order). Sees no secrets. */
export default async function run(ctx: Context, input: Inputs): Promise<{ lines: string[] }> {
  logVisibleSecrets(ctx);
  const profile = input["github-profile"];
  const rate = input["rate-limit"];
  const quota =
    rate.limit === null || rate.remaining === null ? "unknown" : `${rate.remaining} of ${rate.limit} left`;
  return {
    lines: [
      `${profile.name ?? profile.login} (@${profile.login}): ${profile.publicRepos} public repositories`,
      ...input.headlines.headlines.map((h) => `${h.title}${h.source ? ` — ${h.source}` : ""}`),
      `GitHub API quota: ${quota} (${rate.authenticated ? "with" : "without"} a token)`,
    ],
  };
}
