from ankommen.intake.entrypoints.cli import app

app()
