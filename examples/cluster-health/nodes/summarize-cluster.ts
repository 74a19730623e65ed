import type { Context } from "tentacular";

interface NodeState {
  name: string;
  ready: boolean;
}

interface PodState {
  namespace: string;
  name: string;
  phase: string;
}

/** Turns a list of nodes and pods into a health snapshot (what the collector stores). */
export default async function run(_ctx: Context, input: { nodes?: NodeState[]; pods?: PodState[] }) {
  const nodes = input.nodes ?? [];
  const pods = input.pods ?? [];
  const problemPods = pods.filter((p) => p.phase !== "Running" && p.phase !== "Succeeded");
  const namespaces = [...new Set(pods.map((p) => p.namespace))].sort();
  return {
    collectedAt: new Date().toISOString(),
    nodes,
    problemPods,
    namespaces,
    summary: {
      totalNodes: nodes.length,
      readyNodes: nodes.filter((n) => n.ready).length,
      totalPods: pods.length,
      healthyPods: pods.length - problemPods.length,
      problemPods: problemPods.length,
    },
  };
}
