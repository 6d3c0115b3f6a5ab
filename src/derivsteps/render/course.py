"""The course report (deriv grade --questions) laid out for a teacher: per student, per question, the mistake table and
the answers no catalogue entry explains; as text and Markdown (a Document), a self-contained HTML page, CSV and JSON.

The HTML page is one file with its CSS inline and no script, so it can be mailed or put on a course page as it is.
Each question has a horizontal bar chart of its outcomes, drawn here as inline SVG: a handful of rectangles needs no
plotting library (matplotlib would be a 40 MB dependency for five bars, and its SVG is neither small nor stable
enough for a golden test); the numbers are always in the table beside it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from html import escape

from ..checking.course import OUTCOMES, CourseReport, CourseRow, QuestionStats, StudentResult
from .document import Blank, Block, Code, Document, Heading, Paragraph, Spans, Symbol, Table, Words
from .layouts import register
from .writers import write

# How an outcome is named in the reports, and its mark in the student table.
OUTCOME_WORDS = {"correct": "correct", "partial": "partially correct", "incorrect": "incorrect", "invalid": "invalid",
                 "undecided": "undecided"}  # fmt: skip
MARKS = {"correct": "✓", "partial": "~", "incorrect": "✗", "invalid": "!", "undecided": "?"}
ASCII_MARKS = {**MARKS, "correct": "ok", "incorrect": "x"}
_DASH = Symbol("–", "-")  # not answered, no mean
# The bar colours of the chart (colour-blind safe: the Okabe-Ito palette), and the chart's size in pixels.
COLOURS = {"correct": "#009E73", "partial": "#E69F00", "incorrect": "#D55E00", "invalid": "#999999",
           "undecided": "#56B4E9"}  # fmt: skip
CHART_WIDTH, BAR_HEIGHT, LABEL_WIDTH = 420, 18, 130
FORMATS = ("text", "markdown", "csv", "json", "html", "jsonl")


# -- the layout (text, Markdown) --------------------------------------------------------------------------------------------
def layout(report: CourseReport) -> Document:
    """The report as a Document: the summary, the students' scores, the questions' statistics, then each question's
    mistake table and its unexplained answers."""
    blocks: list[Block] = [Heading((Words(report.title),)), Paragraph((Words(summary_sentence(report)),)), Blank()]
    blocks += _students(report)
    blocks += _questions_table(report)
    for stats in report.questions:
        blocks += question_blocks(stats)
    if report.strays:
        shown = ", ".join(sorted({row.question or "(none)" for row in report.strays}))
        blocks.append(Paragraph((Words(f"{len(report.strays)} answers name questions the set does not have ({shown}): graded invalid."),)))  # fmt: skip
    return Document(tuple(blocks))


def summary_sentence(report: CourseReport) -> str:
    """ "12 students, 84 answers: 50 correct, ...; mean score 9.5 of 12 points.\""""
    counts = report.outcomes
    said = ", ".join(f"{counts[name]} {OUTCOME_WORDS[name]}" for name in OUTCOMES if counts[name])
    students = len(report.students)
    mean = sum(s.score for s in report.students) / students if students else 0.0
    return (
        f"{students} student{'s' if students != 1 else ''}, {len(report.rows)} answers: {said or 'none'}; "
        f"mean score {points(mean)} of {points(report.total_points)} points."
    )


def points(value: float) -> str:
    """A score as short as it reads: 2, 0.5, 1.25."""
    return f"{round(value, 2):g}"


def _students(report: CourseReport) -> list[Block]:
    ids = [stats.id for stats in report.questions]
    header = ((Words("student"),), *((Words(qid),) for qid in ids), (Words("score"),))
    body = tuple(
        (
            (Words(student.student),),
            *(_cell(row) for row in student.rows),
            (Words(f"{points(student.score)}/{points(student.max_score)}"),),
        )  # fmt: skip
        for student in report.students
    )
    legend: list = []
    for outcome, words in (("correct", "all the points"), ("partial", "some"), ("incorrect", "none"),
                           ("invalid", "unreadable"), ("undecided", "undecided")):  # fmt: skip
        legend += [Symbol(MARKS[outcome], ASCII_MARKS[outcome]), Words(f" {words}, ")]
    legend += [_DASH, Words(" not answered")]
    return [
        Heading((Words("Students"),)),
        Table(header, body, align="l" + "r" * (len(ids) + 1)),
        Paragraph(tuple(legend), style="aside"),
        Blank(),
    ]


def _cell(row: CourseRow | None) -> Spans:
    if row is None:
        return (_DASH,)
    return (Words(f"{points(row.score)} "), Symbol(MARKS[row.outcome], ASCII_MARKS[row.outcome]))


def _questions_table(report: CourseReport) -> list[Block]:
    header = tuple((Words(name),) for name in ("question", "points", "answered", *(OUTCOME_WORDS[o] for o in OUTCOMES), "mean score"))  # fmt: skip
    body = tuple(
        (
            (Words(stats.id),),
            (Words(points(stats.points)),),
            (Words(str(stats.answered)),),
            *((Words(str(stats.outcomes[name])),) for name in OUTCOMES),
            (_DASH,) if stats.mean_score is None else (Words(points(stats.mean_score)),),
        )
        for stats in report.questions
    )
    return [Heading((Words("Questions"),)), Table(header, body, align="l" + "r" * (len(header) - 1)), Blank()]


def question_blocks(stats: QuestionStats) -> list[Block]:
    """One question's part: its prompt and expected answer, the mistake table, the unexplained answers."""
    title = f"{stats.id}: {stats.prompt}" + (f" ({stats.topic})" if stats.topic else "")
    blocks: list[Block] = [Heading((Words(title),))]
    if stats.expected is not None:
        blocks.append(Paragraph((Words("expected: "), Code(stats.expected))))
    if stats.mean_score is None:
        blocks.append(Paragraph((Words("no answers"),)))
    else:
        said = f"{stats.answered} answers, mean score {points(stats.mean_score)} of {points(stats.points)}"
        blocks.append(Paragraph((Words(said),)))
    if stats.mistakes:
        header = tuple((Words(name),) for name in ("mistake", "answers", "example answer", "the slip"))
        body = tuple(
            ((Code(m.mistake),), (Words(str(m.count)),), _code(m.example), (Words(m.description),))
            for m in stats.mistakes
        )
        blocks.append(Table(header, body, align="lrll"))
    else:
        blocks.append(Paragraph((Words("no catalogued mistake"),), style="aside"))
    if stats.unexplained:
        header = ((Words("answers"),), (Words("wrong answers no catalogued mistake explains, equal in value"),))
        body = tuple(((Words(str(group.count)),), _answers(group.answers)) for group in stats.unexplained)
        blocks.append(Table(header, body, align="rl"))
    blocks.append(Blank())
    return blocks


def _code(text: str) -> Spans:
    """An answer as code; as words when a Markdown table cell cannot hold it as code (a | or ` in it)."""
    return (Words(text),) if "|" in text or "`" in text else (Code(text),)


def _answers(texts: Sequence[str]) -> Spans:
    spans: list = []
    for text in texts:
        if spans:
            spans.append(Words(" = "))
        spans += _code(text)
    return tuple(spans)


# -- HTML: a page of its own ------------------------------------------------------------------------------------------------
_CSS = """\
body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 62em; padding: 0 1em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; }
table.table { border-collapse: collapse; margin: 0.5em 0; }
table.table th, table.table td { border: 1px solid #ddd; padding: 0.2em 0.6em; vertical-align: top; }
table.table th { background: #f4f4f4; }
td.left, th.left { text-align: left; } td.right, th.right { text-align: right; }
code { background: #f6f6f6; padding: 0 0.2em; }
.aside { color: #666; font-size: 0.9em; }
svg.chart { display: block; margin: 0.5em 0; }
svg.chart text { font: 12px system-ui, sans-serif; fill: #222; }
div.derivsteps h3 { font-size: 1em; }
"""


def to_html_page(report: CourseReport) -> str:
    """The report as one self-contained HTML page: inline CSS, no script, a bar chart per question in inline SVG."""
    title = escape(report.title)
    parts = [
        "<!DOCTYPE html>\n",
        f'<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>{title}</title>\n<style>\n{_CSS}</style>\n</head>\n<body>\n',
        f"<h1>{title}</h1>\n<p>{escape(summary_sentence(report))}</p>\n",
        '<section id="students">\n<h2>Students</h2>\n',
        write(Document(tuple(_students(report)[1:])), "html"),
        '</section>\n<section id="questions">\n<h2>Questions</h2>\n',
        write(Document(tuple(_questions_table(report)[1:])), "html"),
        "</section>\n",
    ]
    for stats in report.questions:
        blocks = question_blocks(stats)
        parts.append(f'<section id="question-{escape(stats.id)}">\n<h2>{escape(_words(blocks[0]))}</h2>\n')
        parts.append(bar_chart(stats))
        parts.append(write(Document(tuple(blocks[1:])), "html"))
        parts.append("</section>\n")
    parts.append("</body>\n</html>\n")
    return "".join(parts)


def _words(block: Heading) -> str:
    return "".join(getattr(span, "text", "") for span in block.spans)


def bar_chart(stats: QuestionStats) -> str:
    """A horizontal bar per outcome, its length the share of the question's answers, as inline SVG with a text
    equivalent (role="img", aria-label and <title>)."""
    most = max(stats.answered, 1)
    height = BAR_HEIGHT * len(OUTCOMES) + 4
    said = ", ".join(f"{stats.outcomes[name]} {OUTCOME_WORDS[name]}" for name in OUTCOMES)
    label = f"{stats.id}: {said}"
    lines = [
        f'<svg class="chart" role="img" aria-label="{escape(label)}" width="{CHART_WIDTH + LABEL_WIDTH + 40}" '
        f'height="{height}" viewBox="0 0 {CHART_WIDTH + LABEL_WIDTH + 40} {height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(label)}</title>",
    ]
    for index, name in enumerate(OUTCOMES):
        count = stats.outcomes[name]
        y = 2 + index * BAR_HEIGHT
        width = round(CHART_WIDTH * count / most, 1)
        lines.append(f'<text x="{LABEL_WIDTH - 6}" y="{y + 13}" text-anchor="end">{OUTCOME_WORDS[name]}</text>')
        lines.append(f'<rect x="{LABEL_WIDTH}" y="{y + 2}" width="{width:g}" height="{BAR_HEIGHT - 4}" fill="{COLOURS[name]}"/>')  # fmt: skip
        lines.append(f'<text x="{LABEL_WIDTH + width + 4:g}" y="{y + 13}">{count}</text>')
    lines.append("</svg>\n")
    return "\n".join(lines)


# -- CSV: the gradebook and the answers -------------------------------------------------------------------------------------
ANSWER_COLUMNS = ("row", "student", "question", "answer", "verdict", "outcome", "score", "max_score", "mistake",
                  "feedback", "expected", "decided_by", "in_form", "notes")  # fmt: skip
# A spreadsheet runs a cell starting with one of these as a formula: such a cell gets a leading apostrophe.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def gradebook_csv(report: CourseReport) -> str:
    """One line per student: the points of each question (empty: not answered), the score and the maximum."""
    ids = [stats.id for stats in report.questions]
    lines = [["student", *ids, "score", "max_score"]]
    for student in report.students:
        lines.append([student.student, *("" if row is None else points(row.score) for row in student.rows), points(student.score), points(student.max_score)])  # fmt: skip
    return _csv(lines)


def answers_csv(rows: Sequence[CourseRow]) -> str:
    """One line per graded answer, in the order of the answers file."""
    lines = [list(ANSWER_COLUMNS)]
    for row in rows:
        values = row.to_dict()
        cells = []
        for name in ANSWER_COLUMNS:
            value = values[name]
            if isinstance(value, list):
                value = "\n".join(value)
            elif isinstance(value, float):
                value = points(value)
            elif isinstance(value, bool):
                value = "yes" if value else "no"
            cells.append("" if value is None else str(value))
        lines.append(cells)
    return _csv(lines)


def _csv(lines: Sequence[Sequence[str]]) -> str:
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\r\n")
    for cells in lines:
        out.writerow(["'" + cell if cell.startswith(_FORMULA_STARTS) else cell for cell in cells])
    return buffer.getvalue()


# -- JSON ---------------------------------------------------------------------------------------------------------------------------
def to_json(report: CourseReport, with_sympy: bool = True) -> dict:
    """The report as one JSON document (schemas/course-report.schema.json); with_sympy is accepted for to_json's
    sake: the report holds answers as typed, no expressions."""
    return {
        "schema": 1,
        "command": "grade",
        "report": "course",
        "title": report.title,
        "total_points": report.total_points,
        "summary": {"students": len(report.students), "answers": len(report.rows), "outcomes": report.outcomes},
        "students": [_student_json(student, report) for student in report.students],
        "questions": [_question_json(stats) for stats in report.questions],
        "rows": [row.to_dict() for row in report.rows],
    }


def _student_json(student: StudentResult, report: CourseReport) -> dict:
    return {
        "student": student.student,
        "score": student.score,
        "max_score": student.max_score,
        "questions": {
            stats.id: None if row is None else {"score": row.score, "outcome": row.outcome}
            for stats, row in zip(report.questions, student.rows)
        },
    }


def _question_json(stats: QuestionStats) -> dict:
    return {
        "id": stats.id,
        "prompt": stats.prompt,
        "task": stats.task,
        "topic": stats.topic,
        "points": stats.points,
        "expected": stats.expected,
        "answered": stats.answered,
        "outcomes": dict(stats.outcomes),
        "mean_score": stats.mean_score,
        "mistakes": [
            {"mistake": m.mistake, "description": m.description, "count": m.count, "example": m.example}
            for m in stats.mistakes
        ],
        "unexplained": [{"count": g.count, "answers": list(g.answers)} for g in stats.unexplained],
    }


def render_course(report: CourseReport, fmt: str, *, ascii: bool = False) -> str:
    """The whole report in one format of FORMATS (csv: the gradebook; jsonl: the graded rows); ascii: plain ASCII
    marks in the text report."""
    if fmt == "json":
        return json.dumps(to_json(report), ensure_ascii=False, indent=2) + "\n"
    if fmt == "jsonl":
        return "".join(json.dumps(row.to_dict(), ensure_ascii=False) + "\n" for row in report.rows)
    if fmt == "csv":
        return gradebook_csv(report)
    if fmt == "html":
        return to_html_page(report)
    return write(layout(report), fmt, **({"ascii": True} if ascii and fmt == "text" else {}))


register(CourseReport, layout=layout, json=to_json)
