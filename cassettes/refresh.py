"""Re-record the committed cassettes.

    python cassettes/refresh.py

Run it after a change to the suite that changes the requests it sends, or after upgrading
schemathesis or hypothesis (generation differs between versions; `constraints.txt` pins the
versions CI replays with). Each cassette is recorded from a reference server on loopback with a
fixed seed; `tests/test_cassettes.py` replays them and checks they find what was recorded.
"""

from __future__ import annotations

from pathlib import Path

from conformance import cli
from conformance.server import create_app, faults
from conformance.server.embedded import BackgroundServer
from conformance.server.settings import DEFAULT_TOKENS

HERE = Path(__file__).resolve().parent

SEED, EXAMPLES = "20261125", "10"
CASSETTES = {
    # A conformant run: every requirement the reference server can be asked about passes.
    "reference.json": create_app,
    # A failing run: an admin is shown billing, so BILLING-OWNER-ONLY fails and the verdict is fail.
    "admin-sees-billing.json": faults.AdminSeesBilling,
}


def record(name: str, app: object) -> int:
    tokens = [arg for role, token in DEFAULT_TOKENS.items() for arg in (f"--{role}-token", token)]
    with BackgroundServer(app) as server:
        return cli.main(
            [
                "run",
                "--base-url",
                server.url,
                *tokens,
                "--seed",
                SEED,
                "--max-examples",
                EXAMPLES,
                "--record",
                str(HERE / name),
            ]
        )


def main() -> None:
    for name, factory in CASSETTES.items():
        code = record(name, factory())
        print(f"{name}: recorded, exit {code}")


if __name__ == "__main__":
    main()
