export default async function run(ctx) { const d = ctx.dependency("anything"); return { d: { ...d, fetch: typeof d.fetch }, body: await (await d.fetch("/p")).json() }; }
