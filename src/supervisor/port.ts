import net from 'node:net';

// Asks the OS for a free loopback port. Another process could take it before llama-server binds;
// that shows as a fast "couldn't bind" exit, which the supervisor treats as a failed start and retries on a new port.
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}
