"""Proxies on 127.0.0.1 for the proxy tests: an HTTP forward proxy, a SOCKS5 proxy, and one that demands
credentials (407). Each counts the connections it relayed; none reaches beyond this machine."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import struct
from collections.abc import AsyncIterator
from typing import Literal
from urllib.parse import urlsplit

Kind = Literal["http", "socks5", "http-407"]
_LOCAL = ("127.0.0.1", "localhost")


class LocalProxy:
    """A proxy of one kind; :attr:`url` is what HTTPS_PROXY or ALL_PROXY would hold."""

    def __init__(self, kind: Kind) -> None:
        self.kind = kind
        self.relayed: list[tuple[str, int]] = []
        self._server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        return f"{'socks5' if self.kind == 'socks5' else 'http'}://127.0.0.1:{port}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            if self.kind == "socks5":
                target, first = await _socks5_handshake(reader, writer), b""
            else:
                head = await reader.readuntil(b"\r\n\r\n")
                if self.kind == "http-407":
                    writer.write(
                        b'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="p"\r\n'
                        b"Content-Length: 0\r\nConnection: close\r\n\r\n"
                    )
                    await writer.drain()
                    return
                # An absolute-form request ("POST http://host:port/path HTTP/1.1"): relayed unchanged to that
                # host, which accepts the form as HTTP/1.1 servers must.
                url = urlsplit(head.split(b" ", 2)[1].decode())
                target, first = (url.hostname or "", url.port or 80), head
            if target[0] not in _LOCAL:
                raise ConnectionRefusedError(f"the test proxy relays to this machine only, not {target[0]}")
            self.relayed.append(target)
            upstream_reader, upstream_writer = await asyncio.open_connection(*target)
            upstream_writer.write(first)
            await asyncio.gather(_pipe(reader, upstream_writer), _pipe(upstream_reader, writer))
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def __aenter__(self) -> LocalProxy:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(2):
                await self._server.wait_closed()


async def _socks5_handshake(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> tuple[str, int]:
    """RFC 1928 without authentication: the greeting, one CONNECT, a success reply; returns the target."""
    version, methods = await reader.readexactly(2)
    await reader.readexactly(methods)
    assert version == 5
    writer.write(b"\x05\x00")
    _, command, _, kind = await reader.readexactly(4)
    assert command == 1, "only CONNECT"
    if kind == 1:
        host = str(ipaddress.IPv4Address(await reader.readexactly(4)))
    elif kind == 3:
        host = (await reader.readexactly((await reader.readexactly(1))[0])).decode()
    else:
        host = str(ipaddress.IPv6Address(await reader.readexactly(16)))
    (port,) = struct.unpack("!H", await reader.readexactly(2))
    writer.write(b"\x05\x00\x00\x01\x00\x00\x00\x00\x00\x00")
    await writer.drain()
    return host, port


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            writer.close()


@contextlib.asynccontextmanager
async def local_proxy(kind: Kind) -> AsyncIterator[LocalProxy]:
    """``async with local_proxy("socks5") as proxy``: a proxy for one test."""
    async with LocalProxy(kind) as proxy:
        yield proxy
