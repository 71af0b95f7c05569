"""A TCP proxy that a test can cut and restore, to put a service (PostgreSQL,
Redis) out of reach of the site without touching the shared server itself.

    with TCPProxy("127.0.0.1", 5432) as proxy:
        ... connect to 127.0.0.1:proxy.port ...
        proxy.cut()      # open connections are reset, new ones refused
        proxy.restore()  # the same port forwards again
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import struct
import threading


class TCPProxy:
    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.port = 0
        self._listener: socket.socket | None = None
        self._accepting = threading.Event()
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._thread: threading.Thread | None = None
        self.connections_made = 0

    # -- what tests call ------------------------------------------------------

    def start(self) -> TCPProxy:
        self._listen()
        self._thread = threading.Thread(target=self._accept_loop, name="tcp-proxy", daemon=True)
        self._thread.start()
        return self

    def cut(self) -> None:
        """Refuse new connections and reset every open one."""
        self._accepting.clear()
        with self._lock:
            listener, self._listener = self._listener, None
            sockets, self._sockets = self._sockets, set()
        if listener is not None:
            listener.close()
        for sock in sockets:
            _close(sock)

    def restore(self) -> None:
        """Listen again on the same port."""
        self._listen()

    def stop(self) -> None:
        self._stopped.set()
        self.cut()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> TCPProxy:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # -- inside -----------------------------------------------------------------

    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        listener.settimeout(0.05)
        self.port = listener.getsockname()[1]
        with self._lock:
            self._listener = listener
        self._accepting.set()

    def _accept_loop(self) -> None:
        while not self._stopped.is_set():
            if not self._accepting.wait(timeout=0.05):
                continue
            listener = self._listener
            if listener is None:
                continue
            try:
                client, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                _close(client)
                continue
            with self._lock:
                if self._listener is not listener:  # cut while connecting
                    _close(client)
                    _close(upstream)
                    continue
                self._sockets.update((client, upstream))
                self.connections_made += 1
            threading.Thread(
                target=self._pump, args=(client, upstream), name="tcp-proxy-pump", daemon=True
            ).start()

    def _pump(self, client: socket.socket, upstream: socket.socket) -> None:
        client.setblocking(False)
        upstream.setblocking(False)
        peer = {client: upstream, upstream: client}
        with selectors.DefaultSelector() as selector:
            selector.register(client, selectors.EVENT_READ)
            selector.register(upstream, selectors.EVENT_READ)
            while True:
                try:
                    events = selector.select(timeout=0.2)
                except (OSError, ValueError):
                    break
                if any(sock.fileno() == -1 for sock in peer):
                    break
                done = False
                for key, _ in events:
                    try:
                        data = key.fileobj.recv(65536)
                        if not data:
                            done = True
                            break
                        peer[key.fileobj].setblocking(True)
                        peer[key.fileobj].sendall(data)
                        peer[key.fileobj].setblocking(False)
                    except (BlockingIOError, InterruptedError):
                        continue
                    except OSError:
                        done = True
                        break
                if done:
                    break
        with self._lock:
            self._sockets.discard(client)
            self._sockets.discard(upstream)
        _close(client)
        _close(upstream)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        # RST rather than FIN: the peer sees a dead server, not a polite goodbye.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()
