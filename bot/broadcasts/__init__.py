"""Broadcasts: notices from officials (and operators) to the people of an area, in their languages.

- `audience`: who a broadcast reaches, as SQL (consent, /stop, the area, the audience, officials, silence).
- `notice`: the notice as a person gets it, and this feature's button ids.
- `manage`: create, preview, send or schedule, cancel, send again, "Stop these notices" — each authorised.
- `sending`: the timer that queues a broadcast in chunks, watches it and reports when it is done.
- `report`: the preview's and the report's figures, and their text for officials.
- `schedule`: local times of the area, weekly and monthly repetitions.
- `command`, `demo`: `joldas broadcast …` and `joldas demo seed`.
"""

from bot.broadcasts import sending  # noqa: F401  (registers the `broadcast.run` timer with the worker)
