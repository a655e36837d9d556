from ankommen.monitoring.entrypoints.cli import app

app()
