from ankommen.progress.entrypoints.cli import app

app()
