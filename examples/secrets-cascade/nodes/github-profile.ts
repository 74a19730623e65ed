import type { Context } from "tentacular";
import type { Plan } from "./plan.ts";
import { logVisibleSecrets } from "./visible.ts";

export interface Profile {
  login: string;
  name: string | null;
  publicRepos: number;
}

/**
 * GitHub's public profile of `plan.user`, through the `github-api` dependency. The host
 * resolved `auth.secret: github.token` into `secret`; the dependency's fetch adds no auth,
 * so the node sends the header itself.
 */
export default async function run(ctx: Context, plan: Plan): Promise<Profile> {
  logVisibleSecrets(ctx);
  const github = ctx.dependency("github-api");
  if (!github.secret) {
    throw new Error("github.token is not set: run `tntc secrets check` (see the README)");
  }
  const path = `/users/${encodeURIComponent(plan.user)}`;
  const res = await github.fetch!(path, {
    headers: {
      Authorization: `Bearer ${github.secret}`,
      Accept: "application/vnd.github+json",
      "User-Agent": "tntc-secrets-cascade",
    },
  });
  if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status}`);
  const body = await res.json();
  return {
    login: typeof body.login === "string" ? body.login : plan.user,
    name: typeof body.name === "string" ? body.name : null,
    publicRepos: typeof body.public_repos === "number" ? body.public_repos : 0,
  };
}
