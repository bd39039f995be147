"""The local socket the ``companion`` commands talk to (QLocalServer, per user, per data folder).

One request line per connection, validated by companion.ipc; a malformed, oversized or slow request
gets an error answer (or is dropped) and changes nothing.
"""
from __future__ import annotations

import logging
from PySide6.QtCore import QObject, QTimer
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from companion import ipc

log = logging.getLogger(__name__)

CLIENT_TIMEOUT_MS = 2000


class IpcServer(QObject):
    def __init__(self, name: str, handler: ipc.Handler, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._handler = handler
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._accept)

    def listen(self) -> bool:
        if self.server.listen(self.name):
            return True
        # A socket file left by a crashed instance: we hold the instance lock, so it is stale.
        QLocalServer.removeServer(self.name)
        if self.server.listen(self.name):
            return True
        log.error("could not listen on %s: %s", self.name, self.server.errorString())
        return False

    def close(self) -> None:
        self.server.close()

    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            buffer = bytearray()
            timer = QTimer(socket)
            timer.setSingleShot(True)
            timer.timeout.connect(lambda s=socket: s.abort())
            timer.start(CLIENT_TIMEOUT_MS)
            socket.readyRead.connect(lambda s=socket, b=buffer: self._read(s, b))
            socket.disconnected.connect(socket.deleteLater)

    def _read(self, socket: QLocalSocket, buffer: bytearray) -> None:
        buffer.extend(bytes(socket.readAll().data()))
        if len(buffer) > ipc.MAX_MESSAGE and b"\n" not in buffer[: ipc.MAX_MESSAGE + 1]:
            self._answer(socket, ipc.reply(False, f"message longer than {ipc.MAX_MESSAGE} bytes"))
            return
        if b"\n" not in buffer:
            return
        line = bytes(buffer.split(b"\n", 1)[0])
        self._answer(socket, ipc.respond(line, self._handler))

    def _answer(self, socket: QLocalSocket, data: bytes) -> None:
        try:
            socket.readyRead.disconnect()
        except (RuntimeError, TypeError):
            pass
        socket.write(data)
        socket.flush()
        socket.disconnectFromServer()
