"""The registry's pages, one module per piece of counter work."""
