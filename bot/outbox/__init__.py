"""One outbox for everything the bot sends on its own: reminders, the secretaries' alerts and notices, the weekly
summaries (docs/design.md, "Delivery").

Each kind of message plans rows in the `reminder` table and renders them (`kinds.POLICIES` says how, with its
working hours, attempts and batching); one dispatcher (`dispatcher.Dispatcher`) claims the due rows, paces them
within Telegram's limits (`pacing.Pacer`), sends them and records what Telegram answered (`store`). One periodic
job (`jobs.run_round`) plans, then dispatches.
"""
