"""Live terminal output with rich for the commands that stream: progress bars on stderr, and a view printed to stdout.

Beside the rich writer, the one other module that imports rich: a progress bar is not a document, it is redrawn while
the work runs. The commands call these functions, so that they never import rich themselves.
"""

from __future__ import annotations


class ProgressBar:
    """A transient rich progress bar on stderr for one task of `total` steps; gone when it stops."""

    def __init__(self, progress):
        self._progress = progress
        self._task = progress.task_ids[0]

    def __enter__(self):
        """Start the bar; the context's value is a callback taking the number of steps done so far."""
        self._progress.__enter__()
        return self.update

    def __exit__(self, *exc) -> None:
        self._progress.__exit__(*exc)

    def update(self, done: int) -> None:
        """Show `done` steps done."""
        self._progress.update(self._task, completed=done)

    def advance(self) -> None:
        """One more step done, drawn now (a bar without a refresh thread draws only when asked)."""
        self._progress.advance(self._task)
        self._progress.refresh()

    def stop(self) -> None:
        """Stop the bar and take it off the terminal."""
        self._progress.stop()


def descent_bar(total: int) -> ProgressBar:
    """The bar of a long `deriv descend` run: use it as a context, whose value is the descent's progress callback."""
    from rich.console import Console
    from rich.progress import Progress

    progress = Progress(console=Console(stderr=True), transient=True)
    progress.add_task("descending", total=total)
    return ProgressBar(progress)


def grading_bar(total: int) -> ProgressBar:
    """The bar of `deriv grade`, already started: advance() after each row, stop() at the end."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    # No refresh thread: the workers are forked, and a fork while another thread holds a lock is asking for trouble.
    progress = Progress(
        TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=Console(stderr=True), auto_refresh=False, transient=True, redirect_stdout=False, redirect_stderr=False,
    )  # fmt: skip
    progress.add_task("grading", total=total)
    progress.start()
    return ProgressBar(progress)


def print_view(view, highlight: bool = True) -> None:
    """Print a rich renderable to stdout (rich drops the colours itself under NO_COLOR or off a terminal)."""
    from rich.console import Console

    Console(highlight=highlight).print(view)
