from ankommen.assignment.entrypoints.cli import app

app()
