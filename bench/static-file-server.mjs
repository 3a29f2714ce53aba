// The files scenario's baseline: a plain Node HTTP server that streams one file out (GET) and
// one request body to disk (POST), with nothing else: no sign-in, no multipart, no hashing.
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { pipeline } from 'node:stream/promises';

const [file, uploadTo] = process.argv.slice(2);
const server = createServer((request, response) => {
  if (request.method === 'GET') {
    response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': statSync(file).size });
    void pipeline(createReadStream(file), response).catch(() => undefined);
    return;
  }
  pipeline(request, createWriteStream(uploadTo)).then(
    () => response.writeHead(201).end(),
    () => response.writeHead(500).end(),
  );
});
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
