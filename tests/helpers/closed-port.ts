import net from 'node:net';

/** A port on 127.0.0.1 that nothing listens on: bound a moment ago, closed again (connections to it are refused). */
export function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
