// Response, Request, Blob, File, FormData and ReadableStream bodies (no network).
import type { Context } from "tentacular";

const attempt = async (f: () => unknown): Promise<unknown> => {
  try {
    return await f();
  } catch (e) {
    return `ERR ${(e as Error).name}: ${(e as Error).message}`;
  }
};

export default async function run(_ctx: Context, _input: unknown) {
  const r = new Response("hi", { status: 201, statusText: "Created", headers: { "X-A": "1" } });
  const basics = [r.status, r.statusText, r.ok, r.headers.get("content-type"), r.headers.get("x-a"), r.url, r.redirected, r.type, r.bodyUsed];
  const text = await r.text();
  const used = [r.bodyUsed, await attempt(() => r.text())];
  const j = Response.json({ a: 1, b: [true, null] }, { status: 202, headers: { "x-j": "y" } });
  const jsonResponse = [j.status, j.headers.get("content-type"), j.headers.get("x-j"), await j.json()];
  const original = new Response(new Uint8Array([104, 105]));
  const copy = original.clone();
  const cloned = [await original.text(), [...new Uint8Array(await copy.arrayBuffer())]];
  const empty = [await new Response(null).text(), new Response(null).body, new Response().status, new Response("").headers.get("content-type")];
  const constructorErrors = await Promise.all([
    () => new Response("x", { status: 99 }), () => new Response("x", { status: 204 }),
    () => new Response("x", { statusText: "a\nb" }), () => Response.redirect("/x"), () => Response.redirect("https://a/", 200),
    () => Response.json(undefined),
  ].map((f) => attempt(() => (f(), "ok"))));
  const redirect = Response.redirect("https://a/b", 301);
  const error = Response.error();
  const bodies = {
    params: [new Response(new URLSearchParams("a=1 2")).headers.get("content-type"), await new Response(new URLSearchParams("a=1 2")).text()],
    blob: new Response(new Blob(["ab"], { type: "text/x" })).headers.get("content-type"),
    arrayBuffer: await new Response(new Uint8Array([1, 2, 3]).buffer).arrayBuffer().then((b) => b.byteLength),
    bytes: [...(await new Response("héllo").bytes())],
    blobBack: await new Response("ab").blob().then(async (b) => [b.size, b.type, await b.text()]),
    object: await new Response({ a: 1 } as unknown as BodyInit).text(),
    badJson: await attempt(() => new Response("{bad").json()),
    stream: await new Response(new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode("one "));
        c.enqueue(new TextEncoder().encode("two"));
        c.close();
      },
    })).text(),
  };
  const reader = new Response("chunked").body!.getReader();
  const firstRead = await reader.read();
  const secondRead = await reader.read();
  const streamRead = [new TextDecoder().decode(firstRead.value), firstRead.done, secondRead.done];
  const iterated: string[] = [];
  for await (const chunk of new Response("iter").body as unknown as AsyncIterable<Uint8Array>) iterated.push(new TextDecoder().decode(chunk));
  const afterStream = new Response("x");
  await afterStream.body!.getReader().read();
  const usedAfterStream = [afterStream.bodyUsed, await attempt(() => afterStream.text())];

  const rq = new Request("https://a/b?c", { method: "post", headers: { x: "1" }, body: "data" });
  const request = [rq.method, rq.url, rq.headers.get("x"), rq.headers.get("content-type"), await rq.text(), rq.redirect,
    rq.signal instanceof AbortSignal, rq.signal.aborted, rq.cache, rq.credentials, rq.mode, rq.bodyUsed];
  const methods = [new Request("https://a/", { method: "patch" }).method, new Request("https://a/", { method: "delete" }).method,
    new Request("https://a/", { method: "Options" }).method];
  const requestErrors = await Promise.all([
    () => new Request("/relative"), () => new Request("https://a/", { method: "GET", body: "x" }),
    () => new Request("https://a/", { method: "CONNECT" }), () => new Request("https://a/", { method: "bad method" }),
    () => new Request("https://u:p@a/"),
  ].map((f) => attempt(() => (f(), "ok"))));
  const derived = new Request(new Request("https://a/x", { method: "PUT", body: "payload", headers: { h: "v" } }));
  const derivedFields = [derived.method, derived.url, derived.headers.get("h"), await derived.text()];

  const blob = new Blob(["héllo", new Uint8Array([33]), new Blob([" wörld"])], { type: "Text/Plain" });
  const blobInfo = [blob.size, blob.type, await blob.text(), await blob.slice(1, 4).text(), await blob.slice(-3).text(),
    blob.slice(0, 2, "x/y").type, [...new Uint8Array(await blob.arrayBuffer())].length];
  const file = new File(["content"], "name.txt", { type: "text/plain", lastModified: 42 });
  const fileInfo = [file.name, file.size, file.type, file.lastModified, file instanceof Blob, await file.text()];

  const form = new FormData();
  form.append("a", "1");
  form.append("a", "2");
  form.set("b", "x");
  form.append("file", new Blob(["data"], { type: "text/csv" }), "data.csv");
  const formInfo = [form.get("a"), form.getAll("a"), form.has("b"), [...form.keys()],
    (form.get("file") as File).name, (form.get("file") as File).type];
  form.delete("a");
  const formRequest = new Request("https://a/", { method: "POST", body: form });
  const contentType = formRequest.headers.get("content-type") ?? "";
  const boundary = contentType.split("boundary=")[1];
  const multipart = (await formRequest.text()).replaceAll(boundary, "BOUNDARY");
  const parsedBack = await new Response(multipart.replaceAll("BOUNDARY", "XyZ"), {
    headers: { "content-type": "multipart/form-data; boundary=XyZ" },
  }).formData();
  const urlencodedForm = await new Response("k=v+w&k=2", {
    headers: { "content-type": "application/x-www-form-urlencoded" },
  }).formData();

  return {
    basics, text, used, jsonResponse, cloned, empty, constructorErrors,
    redirect: [redirect.status, redirect.headers.get("location"), await attempt(() => redirect.headers.set("a", "b"))],
    error: [error.type, error.status, error.ok],
    bodies, streamRead, iterated, usedAfterStream, request, methods, requestErrors, derivedFields, blobInfo, fileInfo,
    formInfo,
    multipart: { prefix: contentType.split("boundary=")[0], body: multipart },
    parsedBack: [...parsedBack].map(([k, v]) => [k, typeof v === "string" ? v : `file:${v.name}:${v.type}`]),
    urlencodedForm: [...urlencodedForm],
  };
}
