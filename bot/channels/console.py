"""The terminal channel: a real chat on the engine. Buttons are numbered; type a number or any text
(when the choices are numbers themselves, a typed number is the answer).

Works with a pipe too (`printf '1\n1\n' | joldas chat`): then what was read is echoed, so the output
reads as a transcript.
"""

from __future__ import annotations

import asyncio
import itertools
import sys
import uuid
from pathlib import Path
from typing import TextIO

from bot.conversation import Button, Incoming, Reply
from bot.engine import Engine

CHANNEL = "console"
QUIT = {"/quit", "/exit"}


class ConsoleChat:
    def __init__(
        self,
        engine: Engine,
        user: str,
        language_hint: str | None,
        files_dir: Path,
        stdin: TextIO = sys.stdin,
        stdout: TextIO = sys.stdout,
    ):
        self.engine = engine
        self.user = user
        self.language_hint = language_hint
        self.files_dir = files_dir
        self.stdin = stdin
        self.stdout = stdout
        self.interactive = stdin.isatty()
        self.buttons: list[Button] = []  # the numbered choices last shown
        self._session = uuid.uuid4().hex[:12]
        self._sequence = itertools.count(1)

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
        """A typed number picks the button with that number, unless the choices are numbers themselves
        (how many people move, say): then the number is the answer."""
        if not choice.isdigit() or not 1 <= int(choice) <= len(self.buttons):
            return False
        return not any(button.label.strip().isdigit() for button in self.buttons)

    async def send(self, text: str | None = None, button: str | None = None) -> None:
        update_id = f"{self._session}-{next(self._sequence)}"
        incoming = Incoming(CHANNEL, self.user, update_id, text=text, button=button, language_hint=self.language_hint)
        self.render(await self.engine.handle(incoming))

    def render(self, replies: list[Reply]) -> None:
        shown: list[Button] = []
        for reply in replies:
            if reply.document is not None:
                path = self.save(reply.document.filename, reply.document.content)
                self.stdout.write(f"[{reply.document.caption or reply.document.filename}: {path}]\n")
            if reply.text:
                self.stdout.write(reply.text + "\n")
            for button in reply.all_buttons():
                shown.append(button)
                self.stdout.write(f"  {len(shown)}) {button.label}\n")
            self.stdout.write("\n")
        if shown:
            self.buttons = shown
        self.stdout.flush()

    def save(self, filename: str, content: bytes) -> Path:
        folder = self.files_dir / self.user
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / Path(filename).name
        path.write_bytes(content)
        return path.resolve()
