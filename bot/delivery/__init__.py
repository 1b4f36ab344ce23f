"""Durable delivery: everything the bot receives goes through the inbox, everything it sends through the outbox.

- `inbox`: an update is stored before it is acknowledged, and processed after (by `worker`).
- `outbox`: every message to a person is a row, written in the transaction of the change that caused it.
- `timers`: things due at a time, fired by the worker.
- `senders`: the protocol each channel's sender implements, and the typed results it returns.
- `pace`: rate limits shared by every worker process, retries with back-off.
- `worker`: claims and processes inbox rows, sends outbox rows, fires timers.
- `documents`: files (the PDF) built by the sender off the event loop, from a reference in the row.
"""
