export default async function run() { const a = { list: [] }; a.list.push({ parent: a }); return a; }
