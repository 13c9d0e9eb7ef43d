"""Live delivery of one-to-one messages: Fireside against the limit and the stock pattern.

N WebSocket clients (default 1,000) in pairs, each pair an active conversation; every client
sends to its partner. Three servers, each its own process, on the same clients:

- fireside: uvicorn serving fireside.asgi; a `send` frame is authorised, persisted with the
  next gap-free seq, acknowledged, then pushed to the partner;
- bare: a relay written with the `websockets` library, no Django, no database (the limit);
- stock: uvicorn serving bench/stock_app.py, an AsyncJsonWebsocketConsumer that saves each
  message with the ORM to the same database and `group_send`s it through the default
  channel layer (in-memory, or the standard RedisChannelLayer with Redis).

For each it measures delivered messages per second at saturation (every client keeps
WINDOW messages in flight) and send-to-receive latency p50/p99 at an offered 200 msg/s
(open loop, spread over the clients), and the server's peak RSS. It prints one line per
server and one per database:

    RESULT db=sqlite clients=1000 delivered_per_s=… p50_ms=… p99_ms=… rss_mib=… vs_bare=… vs_stock=…

`vs_bare` and `vs_stock` are Fireside's delivered_per_s divided by theirs.

Usage: .venv/bin/python bench/delivery.py [--db sqlite|postgresql|both] [--clients N]
PostgreSQL + Redis uses a throwaway database on --postgres (dropped afterwards) and --redis
with a channel prefix of its own. Loopback only; every phase is bounded in time.
"""

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from websockets.exceptions import ConnectionClosed

ROOT = Path(__file__).resolve().parent.parent
#: Messages each client keeps in flight at saturation.
WINDOW = 2
CONNECT_CONCURRENCY = 50
START_SECONDS = 60
LOST_AFTER_SECONDS = 5.0

_SETUP_SCRIPT = """
import json
from fireside.accounts.actions import issue_api_token
from fireside.accounts.tests.factories import MemberFactory
from fireside.conversations import actions
from fireside.conversations.tests.factories import share_community

members = [MemberFactory(handle=f"bench_{{n}}", password=None) for n in range({clients})]
share_community(*members)
pairs = []
for one, other in zip(members[0::2], members[1::2]):
    conversation = actions.request_conversation(by=one, to=other, message="Hello")
    actions.accept_conversation(conversation, by=other)
    pairs.append({{
        "conversation": conversation.pk,
        "members": [
            {{"id": m.pk, "handle": m.handle, "token": issue_api_token(m, name="b")[1]}}
            for m in (one, other)
        ],
    }})
with open({path!r}, "w") as out:
    json.dump(pairs, out)
"""


# The servers -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve_bare(port: int) -> None:
    """The limit: forward each text frame to the other socket of the same pair."""
    import uvloop
    from websockets.asyncio.server import ServerConnection, serve

    sides: dict[str, list[ServerConnection]] = {}

    async def relay(websocket: ServerConnection) -> None:
        assert websocket.request is not None
        pair = websocket.request.path.rpartition("pair=")[2]
        peers = sides.setdefault(pair, [])
        peers.append(websocket)
        try:
            async for frame in websocket:
                for peer in peers:
                    if peer is not websocket:
                        await peer.send(frame)
        finally:
            peers.remove(websocket)

    async def main() -> None:
        async with serve(relay, "127.0.0.1", port, compression=None) as server:
            await server.serve_forever()

    uvloop.run(main())


class Server:
    def __init__(self, kind: str, env: dict[str, str], log_dir: Path) -> None:
        self.kind = kind
        self.port = free_port()
        self.log_path = log_dir / f"{kind}.log"
        if kind == "bare":
            command = [sys.executable, __file__, "--serve-bare", str(self.port)]
        else:
            module = "fireside.asgi" if kind == "fireside" else "bench.stock_app"
            env = {
                **env,
                "DJANGO_SETTINGS_MODULE": (
                    "fireside.settings"
                    if kind == "fireside"
                    else "bench.stock_settings"
                ),
            }
            command = [
                sys.executable, "-m", "uvicorn", f"{module}:application",
                "--host", "127.0.0.1", "--port", str(self.port), "--lifespan", "off",
                "--no-access-log", "--log-level", "warning",
            ]  # fmt: skip
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        self._wait_listening()

    def _wait_listening(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.kind} exited:\n{self.log_path.read_text()}")
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=1),
            ):
                return
            time.sleep(0.1)
        raise SystemExit(f"{self.kind} did not listen in {START_SECONDS} s")

    def rss_mib(self) -> float:
        """Resident memory now, in MiB (0 once the process is gone)."""
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return 0.0
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


# The clients -------------------------------------------------------------------------


class Client:
    def __init__(self, kind: str, pair: dict, side: int, port: int) -> None:
        member = pair["members"][side]
        self.kind = kind
        self.conversation = pair["conversation"]
        self.member_id = member["id"]
        self.handle = member["handle"]
        if kind == "bare":
            self.url = f"ws://127.0.0.1:{port}/?pair={pair['conversation']}"
        else:
            self.url = f"ws://127.0.0.1:{port}/ws/?token={member['token']}"
        self.partner: Client
        self.window = asyncio.Semaphore(WINDOW)
        self.websocket = None

    def frame(self, number: int) -> str:
        body = f"m{number}"
        if self.kind == "fireside":
            return json.dumps(
                {
                    "type": "send",
                    "conversation": self.conversation,
                    "body": body,
                    "client_id": body,
                }
            )
        if self.kind == "stock":
            return json.dumps({"conversation": self.conversation, "body": body})
        return body

    def delivered(self, text: str) -> int | None:
        """The number of the partner's message TEXT carries, or None for other frames."""
        if self.kind == "bare":
            return int(text[1:])
        frame = json.loads(text)
        if self.kind == "fireside":
            if frame.get("type") != "message":
                return None
            message = frame["message"]
            if message["author"] == self.handle:
                return None
            return int(message["body"][1:])
        if frame.get("type") != "chat" or frame["author"] == self.member_id:
            return None
        return int(frame["body"][1:])


class Measure:
    """Send times and deliveries of one server's run."""

    def __init__(self) -> None:
        self.numbers = itertools.count(1)
        self.sent_at: dict[int, float] = {}
        self.latencies: list[float] | None = None
        self.counting = False
        self.delivered = 0

    def on_delivered(self, number: int, receiver: Client) -> None:
        sent = self.sent_at.pop(number, None)
        if sent is None:
            return
        if self.counting:
            self.delivered += 1
        if self.latencies is not None:
            self.latencies.append(time.perf_counter() - sent)
        receiver.partner.window.release()


async def read_frames(client: Client, measure: Measure) -> None:
    with contextlib.suppress(Exception):
        async for text in client.websocket:
            number = client.delivered(text)
            if number is not None:
                measure.on_delivered(number, client)


async def connect_all(clients: list[Client]) -> None:
    from websockets.asyncio.client import connect

    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def one(client: Client) -> None:
        async with gate:
            client.websocket = await connect(
                client.url,
                open_timeout=60,
                compression=None,
                max_queue=None,
                ping_interval=None,
                proxy=None,
            )

    await asyncio.gather(*(one(client) for client in clients))


async def saturate(
    clients: list[Client], measure: Measure, warmup: float, seconds: float
) -> tuple[float, int]:
    """Every client keeps WINDOW messages in flight; return (delivered per second, lost)."""
    stop = asyncio.Event()
    lost = 0

    async def sender(client: Client) -> None:
        nonlocal lost
        while not stop.is_set():
            try:
                await asyncio.wait_for(client.window.acquire(), LOST_AFTER_SECONDS)
            except TimeoutError:
                lost += 1  # a window slot whose message never arrived
            if stop.is_set():
                return
            number = next(measure.numbers)
            measure.sent_at[number] = time.perf_counter()
            try:
                await client.websocket.send(client.frame(number))
            except ConnectionClosed:
                lost += 1  # counted, not fatal: a server that drops sockets loses
                return

    senders = [asyncio.create_task(sender(client)) for client in clients]
    await asyncio.sleep(warmup)
    measure.counting, measure.delivered = True, 0
    started = time.perf_counter()
    await asyncio.sleep(seconds)
    measure.counting = False
    rate = measure.delivered / (time.perf_counter() - started)
    stop.set()
    for client in clients:  # wake senders waiting for a slot
        client.window.release()
    await asyncio.gather(*senders, return_exceptions=True)
    # Let the backlog drain so the latency phase starts on an idle server.
    deadline = time.monotonic() + 3 * LOST_AFTER_SECONDS
    while measure.sent_at and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    measure.sent_at.clear()
    return rate, lost


async def offer(
    clients: list[Client], measure: Measure, rate: float, seconds: float
) -> tuple[list[float], int]:
    """Send RATE messages per second in total, round-robin over the clients, for SECONDS;
    return (latencies in ms, lost)."""
    measure.latencies = []
    total = int(rate * seconds)
    started = time.perf_counter()
    for index in range(total):
        delay = started + index / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        client = clients[index % len(clients)]
        number = next(measure.numbers)
        measure.sent_at[number] = time.perf_counter()
        with contextlib.suppress(ConnectionClosed):
            await client.websocket.send(client.frame(number))
    deadline = time.monotonic() + LOST_AFTER_SECONDS
    while measure.sent_at and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    latencies = [latency * 1000 for latency in measure.latencies]
    measure.latencies = None
    return latencies, total - len(latencies)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def measure_server(
    kind: str, server: Server, pairs: list[dict], args: argparse.Namespace
) -> dict:
    clients = []
    for pair in pairs:
        one, other = (Client(kind, pair, side, server.port) for side in (0, 1))
        one.partner, other.partner = other, one
        clients += [one, other]
    peak_rss = 0.0

    async def sample_rss() -> None:
        nonlocal peak_rss
        while True:
            peak_rss = max(peak_rss, server.rss_mib())
            await asyncio.sleep(0.25)

    sampler = asyncio.create_task(sample_rss())
    measure = Measure()
    started = time.perf_counter()
    await connect_all(clients)
    connect_seconds = time.perf_counter() - started
    readers = [asyncio.create_task(read_frames(c, measure)) for c in clients]
    try:
        per_second, lost_saturated = await saturate(
            clients, measure, args.warmup, args.seconds
        )
        latencies, lost_offered = await offer(
            clients, measure, args.rate, args.latency_seconds
        )
    finally:
        await asyncio.gather(
            *(c.websocket.close() for c in clients if c.websocket),
            return_exceptions=True,
        )
        for task in [*readers, sampler]:
            task.cancel()
    return {
        "delivered_per_s": per_second,
        "p50_ms": percentile(latencies, 0.50),
        "p99_ms": percentile(latencies, 0.99),
        "lost": lost_saturated + lost_offered,
        "rss_mib": peak_rss,
        "connect_s": connect_seconds,
    }


def run_loop(coroutine: Any) -> Any:
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


# The databases -----------------------------------------------------------------------


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def _admin(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(_with_database(url, "postgres"), autocommit=True) as admin:
        admin.execute(statement)


def base_env(var_dir: Path, database_url: str, redis_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(
        DEBUG="false",  # DEBUG keeps every query in memory: not a deployment
        SECRET_KEY="bench-" + uuid.uuid4().hex,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        FIRESIDE_VAR_DIR=str(var_dir),
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        CHANNELS_PREFIX=f"bench.{uuid.uuid4().hex[:8]}",
        TASKS_IMMEDIATE="true",
        DJANGO_SETTINGS_MODULE="fireside.settings",
    )
    return env


def prepare(env: dict[str, str], clients: int, var_dir: Path) -> list[dict]:
    def manage(*args: str, **extra: str) -> None:
        subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={**env, **extra},
            check=True,
            timeout=900,
        )

    manage("migrate", "--no-input", "-v", "0")
    path = var_dir / "pairs.json"
    # Without Redis: setting up publishes events nobody listens to.
    manage(
        "shell",
        "-c",
        _SETUP_SCRIPT.format(clients=clients, path=str(path)),
        REDIS_URL="",
    )
    return list(json.loads(path.read_text()))


def run_database(db: str, args: argparse.Namespace) -> None:
    var_dir = Path(tempfile.mkdtemp(prefix=f"delivery-{db}-"))
    name = f"fireside_bench_{uuid.uuid4().hex[:10]}"
    database_url = redis_url = ""
    if db == "postgresql":
        _admin(args.postgres, f'CREATE DATABASE "{name}"')
        database_url = _with_database(args.postgres, name)
        redis_url = args.redis
    try:
        env = base_env(var_dir, database_url, redis_url)
        started = time.perf_counter()
        pairs = prepare(env, args.clients, var_dir)
        print(
            f"# {db}: {len(pairs)} conversations ready in "
            f"{time.perf_counter() - started:.0f} s",
            flush=True,
        )
        results = {}
        for kind in args.servers:
            server = Server(kind, env, var_dir)
            try:
                results[kind] = run_loop(measure_server(kind, server, pairs, args))
            finally:
                server.stop()
            result = results[kind]
            print(
                f"SERVER db={db} server={kind} clients={args.clients} "
                + " ".join(
                    f"{key}={value:.1f}"
                    if isinstance(value, float)
                    else f"{key}={value}"
                    for key, value in result.items()
                ),
                flush=True,
            )
        if {"fireside", "bare", "stock"} <= set(results):
            ours = results["fireside"]
            vs_bare = ours["delivered_per_s"] / results["bare"]["delivered_per_s"]
            vs_stock = ours["delivered_per_s"] / results["stock"]["delivered_per_s"]
            print(
                f"RESULT db={db} clients={args.clients} "
                f"delivered_per_s={ours['delivered_per_s']:.0f} "
                f"p50_ms={ours['p50_ms']:.1f} p99_ms={ours['p99_ms']:.1f} "
                f"rss_mib={ours['rss_mib']:.0f} lost={ours['lost']} "
                f"vs_bare={vs_bare:.3f} vs_stock={vs_stock:.2f}",
                flush=True,
            )
    finally:
        if db == "postgresql":
            _admin(args.postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def raise_open_files(clients: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = min(hard, max(soft, clients * 2 + 1024))
    if wanted > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--db", choices=["sqlite", "postgresql", "both"], default="both"
    )
    parser.add_argument("--clients", type=int, default=1000, help="even; two per pair")
    parser.add_argument("--seconds", type=float, default=8, help="saturation window")
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--rate", type=float, default=200, help="offered msg/s")
    parser.add_argument("--latency-seconds", type=float, default=10)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("DATABASE_URL")
        or "postgres://postgres@127.0.0.1:5432/x",
        help="a PostgreSQL server to create a throwaway database on",
    )
    parser.add_argument(
        "--redis", default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    )
    parser.add_argument(
        "--servers",
        nargs="+",
        choices=["bare", "stock", "fireside"],
        default=["bare", "stock", "fireside"],
    )
    parser.add_argument("--serve-bare", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_bare:
        serve_bare(args.serve_bare)
        return
    args.clients -= args.clients % 2
    raise_open_files(args.clients)
    for db in ("sqlite", "postgresql") if args.db == "both" else (args.db,):
        run_database(db, args)


if __name__ == "__main__":
    main()
