"""`python -m chatops` runs the CLI."""

from chatops.cli.main import main

main()
