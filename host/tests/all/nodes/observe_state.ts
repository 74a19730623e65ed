// Runs after leave_state_behind in the same workflow run and reports what it sees.
import type { Context } from "tentacular";
import { observe } from "./leave_state_behind.ts";

export default async function run(_ctx: Context, _input: unknown) {
  return observe();
}
