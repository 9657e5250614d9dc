"""The pure domain: parsing, state machines, decisions; no I/O, imports only itself and errors."""
