"""Tracking an application for the regional quota: its steps as data (`steps`), deadlines (`deadlines`),
the applications and their statuses (`store`), officials' updates (`updates`, `csv_import`, `api`), notices
and timers (`notices`), check-ins after the move and retention (`checkins`, `retention`)."""
