"""Reading an acta in a worker process with limits, so that no file can stop, slow down or exhaust the bot.

Each reading is a process of its own, forked from a forkserver that has the readers imported and warmed up
already: about 15 ms to start, against a second or more for a spawned interpreter that imports them again
(docs/performance.md). Every new process imports the program's main module again (multiprocessing's rule): the
forkserver has the command line (`acuerdos-bot`'s) imported too, or each reading would import the whole bot first.
The worker caps its own address space (RLIMIT_AS) at what it holds when it starts plus `Limits.memory`; the bot
waits for its answer at most `Limits.seconds`, then kills it. The bot waits in a small thread pool of its own, so
the event loop only awaits.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import resource
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from multiprocessing.connection import Connection

from bot import texts
from bot.acta import limits as configured
from bot.acta.limits import READERS_AT_ONCE, Limits
from bot.acta.parser import ActaError, ParsedActa
from bot.acta.readers import read_acta, read_acta_text

log = logging.getLogger(__name__)

_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload([__name__, "bot.acta.warm", "bot.cli"])
_KILLED_WAIT = 5  # seconds to collect a killed worker; SIGKILL is not refused, so this is only a bound
_pool: ThreadPoolExecutor | None = None


def read_isolated(filename: str | None, data: bytes | str, session_date: date | None = None,
                  limits: Limits | None = None) -> ParsedActa:
    """The acta as read by a worker process (a file, or pasted text when `filename` is None), or ActaError with
    what to do when it is unreadable or goes past a limit. Blocks its caller; the bot calls `read_aside`."""
    limits = limits or configured.LIMITS
    receiver, sender = _CONTEXT.Pipe(duplex=False)
    worker = _CONTEXT.Process(target=_work, args=(sender, filename, data, session_date, limits), daemon=True,
                              name="acta-reader")
    try:
        worker.start()
        sender.close()
        if not receiver.poll(limits.seconds):
            log.warning("an acta took over %s s to read; its worker was stopped", limits.seconds)
            raise ActaError(texts.plain(texts.t(texts.ACTA_TOO_SLOW, seconds=f"{limits.seconds:g}")))
        try:
            kind, value = receiver.recv()
        except EOFError:  # it died without answering: the memory it was refused, most often
            kind, value = "memory", None
    finally:
        if worker.pid is not None:  # started: stop it if it still runs, and collect it
            if worker.is_alive():
                worker.kill()
            worker.join(_KILLED_WAIT)
        receiver.close()
    if kind == "read":
        return value
    if kind == "refused":
        raise ActaError(value)
    if kind == "memory":
        log.warning("an acta needed more than %s bytes to read (worker exit %s)", limits.memory, worker.exitcode)
        raise ActaError(texts.ACTA_TOO_HEAVY)
    raise RuntimeError(f"reading an acta failed in its worker: {value}")


async def read_aside(filename: str | None, data: bytes | str, session_date: date | None = None) -> ParsedActa:
    """`read_isolated` awaited: the waiting happens in the readers' own threads, never on the event loop."""
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(READERS_AT_ONCE, thread_name_prefix="acta-reader")
    return await asyncio.get_running_loop().run_in_executor(_pool, read_isolated, filename, data, session_date)


def _work(sender: Connection, filename: str | None, data: bytes | str, session_date: date | None,
          limits: Limits) -> None:
    """In the worker: cap the memory, read, and send one answer back: (kind, value)."""
    cap = _address_space() + limits.memory
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    try:
        if filename is None:
            outcome = ("read", read_acta_text(data, session_date, limits))
        else:
            outcome = ("read", read_acta(filename, data, session_date, limits))
    except ActaError as error:
        outcome = ("refused", str(error))
    except MemoryError:
        outcome = ("memory", None)
    except Exception as error:  # a fault of ours: the bot's error handler logs it
        outcome = ("failed", type(error).__name__)
    try:
        sender.send(outcome)
    except MemoryError:
        sender.send(("memory", None))
    finally:
        sender.close()


def _address_space() -> int:
    """Bytes of address space this process holds now (its libraries mapped), 0 where /proc does not say."""
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
    except (OSError, StopIteration, ValueError):
        return 0
