export default async function run() { return { at: new Date(0), nested: [undefined, () => 1], skip: undefined }; }
