"""bovine-herd as the independent peer of the federation suite. Run by the bovine venv's
Python (not imported by pytest): `python bovine_app.py HOST PORT DB CERT KEY` serves
bovine-herd (a Quart app on Tortoise ORM) over HTTPS with hypercorn until terminated.

It is bovine-herd as published: it refuses unsigned fetches of its actors (401) and
inbox POSTs whose HTTP signature or digest does not verify."""

import asyncio
import logging
import signal
import sys

from bovine_herd import BovineHerd
from hypercorn.asyncio import serve
from hypercorn.config import Config
from quart import Quart


def main() -> None:
    host, port, database, certfile, keyfile = sys.argv[1:6]
    logging.basicConfig(level=logging.INFO)
    app = Quart(__name__)
    BovineHerd(app, db_url=f"sqlite://{database}")

    config = Config()
    config.bind = [f"{host}:{port}"]
    config.certfile = certfile
    config.keyfile = keyfile
    config.accesslog = "-"

    stop = asyncio.Event()

    async def run() -> None:
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        await serve(app, config, shutdown_trigger=stop.wait)

    asyncio.run(run())


if __name__ == "__main__":
    main()
