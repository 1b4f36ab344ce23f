"""Typed questions answered from the content: the FAQ, the search over all content, and the gaps editors see."""
