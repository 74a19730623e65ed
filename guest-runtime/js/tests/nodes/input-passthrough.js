export default async function run(ctx, input) { return { input, config: ctx.config }; }
