"""Returnees (issue 13): from "I've come back" to the right service and a focal point who answers.

`needs` (what a person may need), `profile` (what they told us), `services` (what exists per need and where),
`referrals` (routing to a focal point, acceptance, escalation, closing, follow-up), `relay` (the conversation
between the two), `report` (figures for operators and officials), `command` (the CLI).
"""
