"""Channel adapters: they turn a messenger's updates into `Incoming` and render `Reply` objects back."""
