export default async function run() { setTimeout(() => { throw new Error("uncaught in a timer"); }, 1); await new Promise((r) => setTimeout(r, 50)); return "unreachable"; }
