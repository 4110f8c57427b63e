from pantau.cli import app

app(prog_name="pantau")
