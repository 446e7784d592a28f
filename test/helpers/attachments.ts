import type { TestApp } from './app.js';

type Client = Awaited<ReturnType<TestApp['signIn']>>;

/** Small files of accepted types, as their bytes begin. */
export const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
export const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 7)]);

/** Multipart body for an upload, as a browser would send it. */
export async function multipart(name: string, content: Buffer) {
  const fd = new FormData();
  fd.append('file', new Blob([new Uint8Array(content)]), name);
  const res = new Response(fd);
  return { body: Buffer.from(await res.arrayBuffer()), type: res.headers.get('content-type')! };
}

/** Uploads a file onto a record through the API. */
export async function upload(c: Client, ownerType: string, ownerId: number, name: string, content: Buffer) {
  const { body, type } = await multipart(name, content);
  return c.call('POST', `/attachments/${ownerType}/${ownerId}`, body, { 'content-type': type });
}
