from __future__ import annotations

import pytest
from rich.markup import escape

from conformance.reports import terminal


@pytest.mark.parametrize("stderr", [False, True])
def test_a_targets_text_is_shown_as_it_was_sent(stderr: bool, capsys: pytest.CaptureFixture[str]) -> None:
    said = 'the server said: bad :warning: value, [b]"x"[/b] :+1:'
    terminal.console(stderr=stderr, highlight=False).print(escape(said))
    shown = capsys.readouterr()
    assert said in (shown.err if stderr else shown.out)
