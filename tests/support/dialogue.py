"""People on Telegram who send messages and press buttons, and the fake Telegram world they live in."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field

from bot.inbox.worker import worker_of
from tests.support.fakebot import Call, FakeBotAPI


@dataclass
class Chat:
    id: int
    type: str = "private"
    title: str | None = None

    def as_dict(self, user: dict) -> dict:
        if self.type == "private":
            return {"id": self.id, "type": "private", "first_name": user["first_name"]}
        return {"id": self.id, "type": self.type, "title": self.title or "Grupo"}


@dataclass
class Person:
    """Someone on Telegram: sends messages, presses buttons, reads what the bot told them."""

    telegram: Telegram
    id: int
    first_name: str
    chat: Chat = field(init=False)

    def __post_init__(self) -> None:
        self.chat = Chat(self.id)

    @property
    def user(self) -> dict:
        return {"id": self.id, "is_bot": False, "first_name": self.first_name, "language_code": "es"}

    async def send(self, text: str, *, chat: Chat | None = None, reply_to: dict | None = None) -> list[Call]:
        """Send a message (a /command or plain text); returns the calls the bot made while handling it."""
        return await self.telegram.deliver(self.typed(text, chat=chat, reply_to=reply_to))

    def typed(self, text: str, *, chat: Chat | None = None, reply_to: dict | None = None) -> dict:
        """The update of a message this person types, not yet delivered."""
        message = self._message(chat, reply_to, text=text)
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command.encode("utf-16-le")) // 2}]
        return {"message": message}

    async def answer(self, text: str, *, chat: Chat | None = None) -> list[Call]:
        """Answer the bot's newest question in this chat as Telegram lets a person in a group: by replying to it."""
        return await self.send(text, chat=chat, reply_to=self.question(chat))

    def question(self, chat: Chat | None = None) -> dict:
        """The bot's newest message in this chat that asks for an answer with ForceReply."""
        chat = chat or self.chat
        asked = self.telegram.api.questions(chat.id)
        assert asked, f"no question waits for an answer in chat {chat.id}"
        return asked[0]

    async def send_document(self, name: str, content: bytes, *, caption: str = "", mime_type: str = "",
                            chat: Chat | None = None, reply_to: dict | None = None) -> list[Call]:
        """Send a file; the fake API keeps its bytes so the bot can download it with getFile."""
        file_id, unique = self.telegram.api.add_file(content)
        document = {"file_id": file_id, "file_unique_id": unique, "file_name": name, "file_size": len(content)}
        if mime_type:
            document["mime_type"] = mime_type
        message = self._message(chat, reply_to, document=document, **({"caption": caption} if caption else {}))
        return await self.telegram.deliver({"message": message})

    async def send_photo(self, content: bytes, *, caption: str = "", reply_to: dict | None = None) -> list[Call]:
        """Send a photo (Telegram gives it in several sizes; the last is the largest)."""
        file_id, unique = self.telegram.api.add_file(content)
        sizes = [{"file_id": f"{file_id}-thumb", "file_unique_id": f"{unique}-t", "width": 90, "height": 60},
                 {"file_id": file_id, "file_unique_id": unique, "width": 1280, "height": 853, "file_size": len(content)}]
        message = self._message(None, reply_to, photo=sizes, **({"caption": caption} if caption else {}))
        return await self.telegram.deliver({"message": message})

    async def send_voice(self, content: bytes, *, reply_to: dict | None = None) -> list[Call]:
        """Send a voice note."""
        file_id, unique = self.telegram.api.add_file(content)
        voice = {"file_id": file_id, "file_unique_id": unique, "duration": 12, "mime_type": "audio/ogg",
                 "file_size": len(content)}
        return await self.telegram.deliver({"message": self._message(None, reply_to, voice=voice)})

    def _message(self, chat: Chat | None, reply_to: dict | None, **content) -> dict:
        chat = chat or self.chat
        message = {"message_id": self.telegram.api.new_message_id(), "date": int(time.time()),
                   "chat": chat.as_dict(self.user), "from": self.user, **content}
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        return message

    async def press(self, button: str, *, chat: Chat | None = None) -> list[Call]:
        """Press the newest button whose text contains `button` in this chat."""
        chat = chat or self.chat
        for message in self.telegram.api.messages_with_buttons(chat.id):
            for row in message["reply_markup"]["inline_keyboard"]:
                for candidate in row:
                    if button in candidate["text"]:
                        return await self.press_data(candidate["callback_data"], message, chat=chat)
        raise AssertionError(f"no button {button!r} in chat {chat.id}")

    async def press_data(self, data: str, message: dict, *, chat: Chat | None = None) -> list[Call]:
        query = {"id": str(next(self.telegram.query_ids)), "from": self.user, "chat_instance": str(message["chat"]["id"]),
                 "data": data, "message": message}
        return await self.telegram.deliver({"callback_query": query})

    def said(self, chat: Chat | None = None) -> list[str]:
        """Every text the bot sent to (or edited in) this chat, in order."""
        chat = chat or self.chat
        return [c.text for c in self.telegram.api.sent(chat.id) if c.method in ("sendMessage", "editMessageText")]

    def last(self, chat: Chat | None = None) -> str:
        said = self.said(chat)
        return said[-1] if said else ""


class Telegram:
    """The fake Telegram world around one running bot."""

    def __init__(self, api: FakeBotAPI, application):
        self.api = api
        self.application = application
        self.query_ids = itertools.count(1)
        self._people = itertools.count(1001)
        self._groups = itertools.count(1)

    def person(self, first_name: str) -> Person:
        return Person(self, next(self._people), first_name)

    def group(self, title: str) -> Chat:
        return Chat(-1001000000000 - next(self._groups), "supergroup", title)

    async def deliver(self, *updates: dict) -> list[Call]:
        """Hand the updates to the bot through getUpdates (several in one answer, as Telegram does when they
        arrive together) and wait until every handler has finished."""
        before = len(self.api.calls)
        # A group's message that privacy mode keeps from the bot never arrives (api.not_delivered has it).
        update_ids = [update_id for update in updates if (update_id := await self.api.push(update)) is not None]
        if update_ids:
            await self.api.wait_delivered(update_ids[-1])
        worker = worker_of(self.application)
        if worker is not None:  # through the inbox: stored once confirmed, then handled from the database
            await worker.idle()
        await self.application.update_queue.join()
        return self.api.calls[before:]
