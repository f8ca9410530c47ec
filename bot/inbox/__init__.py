"""The inbox: every update Telegram sends is stored (by update_id, once) before Telegram is told it arrived, and
handled from the database, each chat's in order, on every instance. docs/design.md, "Receiving", says why."""
