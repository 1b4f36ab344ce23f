"""The terminal channel: a real chat on the engine. Buttons are numbered; type a number or any text
(when the choices are numbers themselves, or only Back / Start over, a typed number is the answer).

Works with a pipe too (`printf '1\n1\n' | joldas chat`): then what was read is echoed, so the output
reads as a transcript. Like every channel it only receives: the replies are queued in the outbox and
printed by `ConsoleSender`, which the worker of this process calls; the chat waits until they are out
before it reads the next line.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import re
import sys
import uuid
from pathlib import Path
from typing import TextIO

from sqlalchemy import func, select

from bot.channels.rendering import reply_from_payload
from bot.conversation import Button, Incoming, Reply
from bot.delivery import documents
from bot.delivery.outbox import WAITING, Outgoing
from bot.delivery.senders import SendResult, Sent
from bot.engine import Engine
from bot.storage.models import OutboxMessage

CHANNEL = "console"
QUIT = {"/quit", "/exit"}
WAY_BACK = (":back", ":restart")  # the ids of a flow's Back and Start over: never an answer themselves
MAX_USER_LENGTH = 64  # the longest external id a contact can have
_SAFE = re.compile(r"[^A-Za-z0-9_-]+")


def valid_user(user: str) -> str:
    """A console user name as given, or ValueError: not empty, at most 64 characters, printable."""
    if not user.strip() or len(user) > MAX_USER_LENGTH or not user.isprintable():
        raise ValueError(f"--user must be 1 to {MAX_USER_LENGTH} printable characters")
    return user


def folder_name(user: str) -> str:
    """A folder for a user's files that no name can turn into a path elsewhere (`../../x` included)."""
    readable = _SAFE.sub("_", user).strip("_")[:40] or "user"
    return f"{readable}-{hashlib.sha256(user.encode()).hexdigest()[:8]}"


class ConsoleSender:
    """Prints outbox rows to the terminal, and saves documents under `files_dir`."""

    channel = CHANNEL

    def __init__(self, stdout: TextIO, files_dir: Path):
        self.stdout = stdout
        self.files_dir = files_dir
        self.buttons: dict[str, list[Button]] = {}  # per user, the numbered choices last shown
        self.progress = asyncio.Event()

    async def send(self, message: Outgoing) -> SendResult:
        reply = reply_from_payload(message.payload)
        if reply.document is not None:
            path = self.save(message.address, reply.document.filename, await documents.build(reply.document))
            self.stdout.write(f"[{reply.document.caption or reply.document.filename}: {path}]\n")
        self.render(message.address, reply)
        self.progress.set()
        return Sent()

    def render(self, user: str, reply: Reply) -> None:
        if reply.text:
            self.stdout.write(reply.text + "\n")
        shown = reply.all_buttons()
        for number, button in enumerate(shown, start=1):
            self.stdout.write(f"  {number}) {button.label}\n")
        self.stdout.write("\n")
        if shown:
            self.buttons[user] = shown
        self.stdout.flush()

    def save(self, user: str, filename: str, content: bytes) -> Path:
        folder = self.files_dir / folder_name(user)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / (Path(filename).name or "document")
        path.write_bytes(content)
        return path.resolve()

    def instead_outside_window(self, message: Outgoing) -> None:
        return None

    async def close(self) -> None:
        return None


class ConsoleChat:
    def __init__(
        self,
        engine: Engine,
        sender: ConsoleSender,
        user: str,
        language_hint: str | None,
        stdin: TextIO = sys.stdin,
    ):
        self.engine = engine
        self.sender = sender
        self.user = valid_user(user)
        self.language_hint = language_hint
        self.stdin = stdin
        self.stdout = sender.stdout
        self.interactive = stdin.isatty()
        self._session = uuid.uuid4().hex[:12]
        self._sequence = itertools.count(1)

    @property
    def buttons(self) -> list[Button]:
        return self.sender.buttons.get(self.user, [])

    async def run(self) -> None:
        await self.send(text="/start")
        while True:
            if self.interactive:
                self.stdout.write("> ")
                self.stdout.flush()
            line = await asyncio.to_thread(self.stdin.readline)
            if not line:
                break
            typed = line.rstrip("\n")
            if not self.interactive:
                self.stdout.write(f"> {typed}\n")
            if typed.strip() in QUIT:
                break
            choice = typed.strip()
            if self.picks_a_button(choice):
                await self.send(button=self.buttons[int(choice) - 1].id)
            else:
                await self.send(text=typed)

    def picks_a_button(self, choice: str) -> bool:
        """A typed number picks the button with that number, unless the number is the answer: when the
        choices are numbers themselves (how many people move, say), or when a question that wants a typed
        answer offers only its way back (Back, Start over: "1" to "since when?" is a month ago, not Back)."""
        if not choice.isdigit() or not 1 <= int(choice) <= len(self.buttons):
            return False
        if any(button.label.strip().isdigit() for button in self.buttons):
            return False
        return not all(button.id.endswith(WAY_BACK) for button in self.buttons)

    async def send(self, text: str | None = None, button: str | None = None) -> None:
        update_id = f"{self._session}-{next(self._sequence)}"
        incoming = Incoming(CHANNEL, self.user, update_id, text=text, button=button, language_hint=self.language_hint)
        await self.engine.handle(incoming)
        await self.delivered()

    async def delivered(self) -> None:
        """Waits until the worker has printed everything queued for this user."""
        query = (
            select(func.count())
            .select_from(OutboxMessage)
            .where(
                OutboxMessage.channel == CHANNEL,
                OutboxMessage.address == self.user,
                OutboxMessage.status.in_(WAITING),
            )
        )
        while True:
            self.sender.progress.clear()
            async with self.engine.database.transaction() as session:
                if not await session.scalar(query):
                    return
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(0.2):
                    await self.sender.progress.wait()
