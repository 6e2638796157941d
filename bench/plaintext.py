"""The ceiling of a benchmark run: a minimal Flask app answering plain text."""

from flask import Flask

app = Flask(__name__)


@app.get("/plaintext")
def plaintext():
    return "Hello, World!", 200, {"Content-Type": "text/plain"}
