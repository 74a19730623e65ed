export default async function run() { throw "plain string"; }
