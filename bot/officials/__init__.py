"""Officials and focal points (issue 11): roles bound to areas, invites, and the one place scope is checked."""
