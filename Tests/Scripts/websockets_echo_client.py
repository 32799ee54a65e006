"""Interop check with a real third-party client: the `websockets` library (permessage-deflate on by default).

usage: websockets_echo_client.py URL [CA_FILE]
Prints "ok" and exits 0 when every echo matched.
"""
import asyncio
import ssl
import sys

import websockets


async def main(url: str, ca_file: str | None) -> None:
    context = None
    if url.startswith("wss://"):
        context = ssl.create_default_context(cafile=ca_file)
    async with websockets.connect(url, ssl=context, max_size=2**24) as ws:
        negotiated = ws.response.headers.get("Sec-WebSocket-Extensions", "")
        assert "permessage-deflate" in negotiated, f"deflate not negotiated: {negotiated!r}"
        messages = ["你好，一站", "x" * 100_000, bytes(range(256)) * 300, "明天上午九点开班会 " * 2000]
        for message in messages:
            await ws.send(message)
            echoed = await ws.recv()
            assert echoed == message, f"mismatch for a message of {len(message)}"
        # Fragmented message.
        await ws.send(iter(["frag", "mented ", "消息"]))
        assert await ws.recv() == "fragmented 消息"
        await ws.ping(b"p")
    assert ws.close_code == 1000, ws.close_code
    print("ok")


asyncio.run(main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None))
