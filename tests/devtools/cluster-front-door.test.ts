import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startFrontDoor, type FrontDoor } from '../../devtools/cluster/front-door';
import { unusedLoopbackPort } from '../../platform/ports';

// The cluster run's front door (devtools/cluster/front-door.ts): connections go to the frontends in turn, and past
// one whose process is dead, so clients reconnecting after a SIGKILL reach a live one.

/** A TCP server that answers each line with its name. */
async function echoServer(name: string): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('data', () => socket.write(`${name}\n`));
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Connects through the door, sends a line, resolves with the answer ('' when the connection closed unanswered). */
function ask(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => socket.write('hello\n'));
    let got = '';
    socket.on('data', (chunk) => {
      got += chunk.toString();
      if (got.endsWith('\n')) socket.end();
    });
    socket.on('close', () => resolve(got.trim()));
    socket.on('error', () => undefined);
  });
}

describe('the cluster front door', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('hands connections to the backends in turn', async () => {
    const [a, b] = [await echoServer('a'), await echoServer('b')];
    cleanups.push(a.close, b.close);
    const door: FrontDoor = await startFrontDoor([
      { host: '127.0.0.1', port: a.port },
      { host: '127.0.0.1', port: b.port },
    ]);
    cleanups.push(door.close);
    const answers = [await ask(door.port), await ask(door.port), await ask(door.port), await ask(door.port)];
    expect(answers.sort()).toEqual(['a', 'a', 'b', 'b']);
  });

  it('passes a connection a dead backend refuses to the next, and closes one no backend takes', async () => {
    const live = await echoServer('live');
    cleanups.push(live.close);
    const dead = await unusedLoopbackPort();
    const door = await startFrontDoor([
      { host: '127.0.0.1', port: dead },
      { host: '127.0.0.1', port: live.port },
    ]);
    cleanups.push(door.close);
    expect([await ask(door.port), await ask(door.port), await ask(door.port)]).toEqual(['live', 'live', 'live']);
    expect(door.stats.refused).toBeGreaterThanOrEqual(1);

    await live.close();
    expect(await ask(door.port)).toBe('');
    expect(door.stats.unserved).toBe(1);
  });

  it('closes the client side when its backend dies, so the client reconnects elsewhere', async () => {
    const [a, b] = [await echoServer('a'), await echoServer('b')];
    cleanups.push(b.close);
    const door = await startFrontDoor([
      { host: '127.0.0.1', port: a.port },
      { host: '127.0.0.1', port: b.port },
    ]);
    cleanups.push(door.close);
    const socket = net.connect({ host: '127.0.0.1', port: door.port });
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write('x\n');
    await new Promise<void>((resolve) => socket.once('data', () => resolve()));
    await a.close();
    await closed;
    expect(await ask(door.port)).toBe('b');
  });
});
