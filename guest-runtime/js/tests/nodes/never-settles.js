export default async function run() { await new Promise(() => {}); }
