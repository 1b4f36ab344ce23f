"""Tracking an application for the regional quota (issue 12; docs/tracking.md).

`steps` (the steps of each path as data), `deadlines` (counting as the Rules do), `store` (applications,
finding them, the queries other features use), `texts` (timelines in a person's language), `updates` (status
changes: allowed, authorised, audited, told), `notices` (what the bot says first, and its timers),
`checkins` and `retention` (after the move), `csv_import`, `api` and `openapi` (the officials' other
channels), `buttons` (this feature's button ids), `command` (the command line).
"""
