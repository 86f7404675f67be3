// The floor of the machine: a bare Fastify hello-world, run as its own process like the real
// server, so that both are loaded the same way. Usage: node --import tsx bench/hello_server.ts PORT
import Fastify from 'fastify';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) throw new Error('usage: hello_server.ts <port>');

const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));
await app.listen({ port, host: '127.0.0.1' });
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
